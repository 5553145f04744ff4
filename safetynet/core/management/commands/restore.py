"""safetynet restore PATH [--yes]: put back the database and documents from a `safetynet backup` archive."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safetynet.core.backup import BackupError, check_compatible, open_backup, restore_backup
from safetynet.core.serverlock import Busy, lock_path, nothing_running

RUNNING = (
    "safetynet is running on this data folder (the web server or the task worker holds {lock}). "
    "Stop `safetynet run` first, then restore. Nothing was changed.\n"
    "safetynet 正在运行（网站服务或后台任务占用 {lock}）。请先停止 safetynet run 再恢复。未做任何更改。"
)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


class Command(BaseCommand):
    help = (
        "Restore the database and the uploaded documents from a backup archive, replacing what is there now. "
        "Refused while the web server or the task worker runs on this data folder. "
        "从备份文件恢复数据库和上传的文档，将替换现有数据。网站服务或后台任务运行时拒绝执行。"
    )
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive made by `safetynet backup` / 备份文件")
        parser.add_argument(
            "--yes", action="store_true",
            help="replace without asking (required when not run from a terminal) / 不再询问确认",
        )
        parser.add_argument(
            "--check", action="store_true",
            help="only verify the archive and that it fits this system; change nothing / 仅检查，不做更改",
        )

    def handle(self, *args, path: Path, yes: bool = False, check: bool = False, verbosity: int = 1,
               **options):
        if not (yes or check or _interactive()):
            raise CommandError(
                "restore replaces the whole database and all documents; not run from a terminal, it needs "
                "--yes to go ahead. Nothing was changed.\n"
                "恢复将替换整个数据库和全部文档；非交互运行时必须加 --yes 才会执行。未做任何更改。"
            )
        log = self.stdout.write if verbosity >= 1 else (lambda _m: None)
        if not check:
            # Asked again around the restore itself; here so nobody answers the question in vain.
            try:
                with nothing_running():
                    pass
            except Busy:
                raise CommandError(RUNNING.format(lock=lock_path())) from None
        try:
            log(f"Checking / 正在检查 {path} …")
            backup = open_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        try:
            check_compatible(backup)
            manifest = backup.manifest
            rows, documents = sum(manifest["row_counts"].values()), len(manifest["documents"])
            log(
                f"Backup of {manifest['created_at']} ({manifest['database']['vendor']}, safetynet "
                f"{manifest.get('safetynet_version', '?')}): {rows} rows / 行, "
                f"{documents} documents / 个文档 — verified / 校验通过"
            )
            for note in backup.notes:
                self.stdout.write(self.style.WARNING(note))
            if check:
                return
            if not yes:
                answer = input("This replaces the current database and documents. Type yes to continue / "
                               "将替换当前数据库和文档，输入 yes 继续: ")
                if answer.strip().lower() not in {"yes", "y", "是"}:
                    raise CommandError("Cancelled; nothing was changed. / 已取消，未做任何更改。")
            try:
                with nothing_running():
                    counts = restore_backup(backup, log=log)
            except Busy:
                raise CommandError(RUNNING.format(lock=lock_path())) from None
        except BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            backup.cleanup()
        log(self.style.SUCCESS(
            f"Restored / 已恢复: {sum(counts.values())} rows / 行, {documents} documents / 个文档"
        ))
