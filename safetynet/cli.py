"""The `safetynet` console command: operator subcommands over Django's management commands."""

import os
import sys

# subcommand → (management command, one-line help). Kept short: what an operator runs.
COMMANDS = {
    "run": ("run", "start the web server, the task worker and the scheduler together (Ctrl-C stops them)"),
    "migrate": ("migrate", "create or update the database tables"),
    "demo-city": ("demo_city", "build a synthetic Linyi registry: --households N --seed S"),
    "backup": ("backup", "back up the database and the uploaded documents into one file"),
    "restore": ("restore", "restore a backup made by `safetynet backup`"),
    "user": ("user", "create a user bound to a division, or change one"),
    "token": ("token", "create or revoke an API token for a user"),
    "grant": ("grant", "let a user (a service provider) see a record outside their area, or stop it"),
    "calendar": ("calendar", "the official working-day calendar: import FILE | show YEAR"),
    "scheduler": ("scheduler", "run only the recurring jobs (started by run); --once runs what is due"),
    "worker": ("db_worker", "run only the background task worker"),
    "serve": ("serve", "run only the web server"),
    "check": ("check", "check the configuration"),
    "manage": (None, "any Django management command: safetynet manage COMMAND …"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: safetynet COMMAND [options]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_text}" for name, (_, help_text) in COMMANDS.items()]
    lines += ["", "safetynet COMMAND --help shows a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"safetynet: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
    from safetynet.datadir import prepare

    prepare()
    import django
    from django.core.management import ManagementUtility, execute_from_command_line

    command = COMMANDS[name][0]
    if command is None:
        execute_from_command_line(["safetynet", *rest])
        return 0
    django.setup()
    # Run the management command under its operator name, so its --help reads "safetynet NAME".
    run = ManagementUtility(["safetynet"]).fetch_command(command).run_from_argv
    if name == "worker":
        # The worker is django-tasks-db's command: hold the server lock for it, so that no restore
        # replaces the database under a running worker (run and serve hold it themselves).
        from safetynet.core.management.commands.serve import restore_in_progress
        from safetynet.core.serverlock import Busy, server_running

        try:
            with server_running():
                run(["safetynet", name, *rest])
        except Busy:
            print(restore_in_progress(), file=sys.stderr)
            return 1
        return 0
    run(["safetynet", name, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
