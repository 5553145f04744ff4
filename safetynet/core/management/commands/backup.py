"""safetynet backup [--output PATH]: the database and the uploaded documents, in one archive file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safetynet.core.backup import BackupError, create_backup, default_backup_path


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded documents into one archive file (safe while the system "
        "runs). 将数据库和上传的文档备份到一个文件中（系统运行时也可以备份）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, default=None,
            help=f"archive file, or a folder to put it in (default: {default_backup_path().parent}/"
                 f"safetynet-<time>.tar.gz) / 备份文件或目录",
        )

    def handle(self, *args, output: Path | None = None, verbosity: int = 1, **options):
        log = self.stdout.write if verbosity >= 1 else (lambda _m: None)
        try:
            path, manifest = create_backup(output, log=log)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if verbosity < 1:
            return
        rows = sum(manifest["row_counts"].values())
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(
            f"Backup written / 备份已写入: {path}\n"
            f"  {size / 1048576:.1f} MB · {manifest['database']['vendor']} · {rows} rows / 行 · "
            f"{len(manifest['documents'])} documents / 个文档"
        ))
