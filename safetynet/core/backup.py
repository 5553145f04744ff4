"""Back up and restore the whole system — the database and the uploaded documents — as one file.

The archive is a gzipped tar:

    database/db.sqlite3 | database/db.pgdump   the database (SQLite online backup, or pg_dump -Fc)
    documents/<path>                            every file under MEDIA_ROOT, as stored
    manifest.json                               written last: what the archive must contain

The manifest records the format version, when and from which database vendor the archive was
made, the applied migrations, the row count of every safetynet table, and the size and sha256 of
the database dump and of every document. Restore checks all of that *before* it changes anything:
a truncated, edited or foreign archive is refused and the running system is left as it was.

Consistency while the system runs: on SQLite the copy is one step of sqlite3's online backup API
(one read transaction, so writers in WAL mode carry on); on PostgreSQL pg_dump imports a snapshot
exported by our own REPEATABLE READ transaction, in which the row counts are taken too, so the
counts describe exactly the dumped data. The database is copied before the documents: documents
are stored under their content hash and never rewritten, so the archive may at worst hold a file
uploaded a moment after the copy, never a row whose file is missing — unless the file was deleted
in between, which is reported.

Messages are for operators at a console: English and Chinese together.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "safetynet-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents"
DATABASE_MEMBER = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
CHUNK = 1024 * 1024
PG_LIB = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """A backup or restore that cannot go ahead. The message tells the operator why; nothing changed."""


@dataclass
class VerifiedBackup:
    """An archive unpacked into `workdir` whose every file matched its manifest."""

    path: Path
    workdir: Path
    manifest: dict
    database_file: Path
    documents_dir: Path
    notes: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


# --- small helpers ----------------------------------------------------------------------------------

def _add_file(tar: tarfile.TarFile, handle, arcname: str) -> tuple[int, str]:
    """Add an open file to the archive; (size, sha256) of exactly the bytes that went in."""
    info = tar.gettarinfo(arcname=arcname, fileobj=handle)
    reader = _HashingReader(handle)
    tar.addfile(info, reader)
    return info.size, reader.digest.hexdigest()


class _HashingReader:
    """Reads a file for tarfile.addfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def default_backup_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"safetynet-{stamp}.tar.gz"


def _project_models():
    """Every table safetynet itself owns (core, registry and the apps that come later)."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_config.name.startswith("safetynet.") and model._meta.managed:
            yield model


def _vendor_name(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


def _check_vendor(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; this system uses {connection.vendor}.\n"
            f"备份只支持 SQLite 和 PostgreSQL，本系统使用的是 {connection.vendor}。"
        )


def _outside_transaction(connection: BaseDatabaseWrapper) -> None:
    if connection.in_atomic_block:
        raise BackupError(
            "Backup and restore must run outside a database transaction.\n备份和恢复不能在数据库事务中运行。"
        )


# --- counting and migration state -----------------------------------------------------------------

def _counts_and_migrations(cursor, existing_tables: set[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    counts = {}
    for model in _project_models():
        table = model._meta.db_table
        if table in existing_tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 — table names come from our models
            counts[model._meta.label] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in existing_tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return dict(sorted(counts.items())), migrations


def _sqlite_tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def current_counts(connection: BaseDatabaseWrapper = default_connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        return _counts_and_migrations(cursor, tables)[0]


# --- PostgreSQL tools -----------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        # Debian keeps each server version's tools under /usr/lib/postgresql/<version>/bin.
        candidates = sorted(PG_LIB.glob(f"*/bin/{name}"),
                            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
        found = str(candidates[-1]) if candidates else None
    if not found:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of the server's version or newer "
            f"(Debian: apt-get install postgresql-client) and try again.\n"
            f"找不到 {name}。请安装不低于数据库服务器版本的 PostgreSQL 客户端工具"
            f"（Debian：apt-get install postgresql-client）后重试。"
        )
    return found


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """libpq environment for the database Django is connected to (passwords never on a command line)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE"),
                     ("options", "PGOPTIONS")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run_pg(command: list[str], settings_dict: dict, what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=_pg_env(settings_dict), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed / {what} 失败 (exit {result.returncode}):\n{result.stderr.strip()}")
    return result


# --- backup -----------------------------------------------------------------------------------------

def _dump_sqlite(connection: BaseDatabaseWrapper, dest: Path) -> tuple[dict, dict]:
    connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        # pages=-1: the whole database in one step, i.e. inside one read transaction on the source.
        connection.connection.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        cursor = target.cursor()
        counts, migrations = _counts_and_migrations(cursor, _sqlite_tables(target))
    finally:
        target.close()
    return counts, migrations


def _dump_postgresql(connection: BaseDatabaseWrapper, dest: Path) -> tuple[dict, dict]:
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # The transaction stays open while pg_dump runs so that it can import the snapshot.
        _run_pg([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}",
                 f"--dbname={connection.settings_dict['NAME']}"], connection.settings_dict, "pg_dump")
        tables = set(connection.introspection.table_names(cursor))
        counts, migrations = _counts_and_migrations(cursor, tables)
    return counts, migrations


Log = Callable[[str], None]


def create_backup(output: Path | None = None, *, connection: BaseDatabaseWrapper = default_connection,
                  media_root: Path | None = None, log: Log = lambda _m: None) -> tuple[Path, dict]:
    """Write one archive with the database and the documents; returns its path and manifest.

    The archive appears under its final name only when complete, readable only by its owner
    (it holds personal information).
    """
    _check_vendor(connection)
    _outside_transaction(connection)
    output = Path(output) if output else default_backup_path()
    if output.is_dir():
        output = output / default_backup_path().name
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if output.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            f"Write the backup outside the documents folder {media_root}.\n"
            f"备份文件不能放在文档目录 {media_root} 之内。"
        )
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    vendor = connection.vendor
    member = DATABASE_MEMBER[vendor]

    workdir = Path(tempfile.mkdtemp(prefix=".safetynet-backup-", dir=output.parent))
    partial = workdir / "archive.tar.gz"
    try:
        dump = workdir / Path(member).name
        log(f"Copying the {_vendor_name(vendor)} database / 正在复制数据库 …")
        created_at = timezone.now()
        counts, migrations = (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(connection, dump)

        documents, vanished = [], []
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            with dump.open("rb") as handle:
                size, sha256 = _add_file(tar, handle, member)
            database = {"vendor": vendor, "file": member, "size": size, "sha256": sha256}
            dump.unlink()
            log(f"Copying documents from {media_root} / 正在复制文档 …")
            for path in sorted(media_root.rglob("*")) if media_root.is_dir() else []:
                if path.is_symlink() or not path.is_file():
                    continue
                relative = path.relative_to(media_root).as_posix()
                try:
                    handle = path.open("rb")
                except FileNotFoundError:
                    vanished.append(relative)
                    continue
                with handle:
                    size, sha256 = _add_file(tar, handle, f"{DOCUMENTS}/{relative}")
                documents.append({"path": relative, "size": size, "sha256": sha256})

            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": created_at.isoformat(),
                "safetynet_version": _version(),
                "database": database,
                "migrations": migrations,
                "row_counts": counts,
                "documents": documents,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)
        os.replace(partial, output)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for relative in vanished:
        log(f"warning: {relative} was deleted while the backup ran / 备份期间该文件被删除")
    return output, manifest


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("safetynet")
    except PackageNotFoundError:
        return "unknown"


# --- reading and verifying an archive ---------------------------------------------------------------

def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(
        f"{path} is not a usable safetynet backup ({why}). Nothing was changed.\n"
        f"{path} 不是可用的 safetynet 备份文件（{why}）。未做任何更改。"
    )


def _safe_member_path(name: str) -> PurePosixPath | None:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        return None
    return pure


def open_backup(path: Path, *, connection: BaseDatabaseWrapper = default_connection,
                workdir_parent: Path | None = None) -> VerifiedBackup:
    """Unpack the archive into a private folder and check every file against the manifest, and that
    it was made from the same database vendor as `connection` uses.

    The folder is created beside the documents folder (`workdir_parent`, default MEDIA_ROOT's
    parent) so that restoring can swap the documents in with a rename. Raises BackupError, after
    removing what it unpacked, when anything is missing, extra or different.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.\n找不到备份文件 {path}。")
    parent = Path(workdir_parent or Path(settings.MEDIA_ROOT).parent)
    parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".safetynet-restore-", dir=parent))
    try:
        return _unpack_and_verify(path, workdir, connection.vendor)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def _unpack_and_verify(path: Path, workdir: Path, vendor: str) -> VerifiedBackup:
    staged = workdir / "content"
    staged.mkdir()
    hashes: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                name = _safe_member_path(member.name)
                top_level = name is not None and len(name.parts) < 2 and name.as_posix() != MANIFEST
                if name is None or not member.isfile() or top_level:
                    raise _damaged(path, f"unexpected entry {member.name!r} / 含有异常条目")
                source = tar.extractfile(member)
                if name.as_posix() == MANIFEST:
                    manifest_bytes = source.read(10 * 1024 * 1024 + 1)
                    continue
                if name.parts[0] not in {DOCUMENTS, "database"}:
                    raise _damaged(path, f"unexpected entry {member.name!r} / 含有异常条目")
                target = staged.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                hashes[name.as_posix()] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        # Other OSErrors (disk full, permissions) are not the archive's fault and propagate as they are.
        raise _damaged(path, f"cannot be read: {error} / 文件无法读取") from error

    if manifest_bytes is None:
        raise _damaged(path, "no manifest / 缺少清单")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise _damaged(path, "the manifest is not valid JSON / 清单格式错误") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, "not made by safetynet backup / 不是 safetynet 备份")
    if (version := manifest.get("format_version")) != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format version {version}; this safetynet reads "
            f"version {FORMAT_VERSION}. Nothing was changed.\n"
            f"备份格式版本为 {version}，本系统只能读取版本 {FORMAT_VERSION}。未做任何更改。"
        )
    try:
        database = manifest["database"]
        expected = {database["file"]: (database["size"], database["sha256"])}
        for document in manifest["documents"]:
            expected[f"{DOCUMENTS}/{document['path']}"] = (document["size"], document["sha256"])
    except (KeyError, TypeError) as error:
        raise _damaged(path, f"the manifest lacks {error} / 清单不完整") from error
    if database["file"] != DATABASE_MEMBER.get(database.get("vendor")):
        raise _damaged(path, "the manifest names no known database dump / 清单中的数据库文件无法识别")
    _check_same_vendor(path, database["vendor"], vendor)
    for name, (size, sha256) in expected.items():
        if name not in hashes:
            raise _damaged(path, f"{name} is missing / 缺少文件")
        if hashes[name] != (size, sha256):
            raise _damaged(path, f"{name} does not match its checksum / 校验和不符")
    extra = sorted(set(hashes) - set(expected))
    if extra:
        raise _damaged(path, f"{extra[0]} is not in the manifest / 含有清单之外的文件")

    backup = VerifiedBackup(
        path=path, workdir=workdir, manifest=manifest,
        database_file=staged.joinpath(*PurePosixPath(database["file"]).parts),
        documents_dir=staged / DOCUMENTS,
    )
    backup.documents_dir.mkdir(exist_ok=True)
    if database["vendor"] == "sqlite":
        _verify_sqlite_copy(backup)
    return backup


def _verify_sqlite_copy(backup: VerifiedBackup) -> None:
    try:
        db = sqlite3.connect(f"file:{backup.database_file}?mode=ro", uri=True)
        try:
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            counts, _ = _counts_and_migrations(db.cursor(), _sqlite_tables(db))
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise _damaged(backup.path, f"the database copy cannot be read: {error} / 数据库副本无法读取") \
            from error
    if check != "ok":
        raise _damaged(backup.path, f"the database copy fails its integrity check: {check} / "
                                    f"数据库副本完整性检查失败")
    recorded = backup.manifest.get("row_counts", {})
    differing = [label for label in recorded if counts.get(label) != recorded[label]]
    if differing:
        raise _damaged(backup.path, f"row counts differ from the manifest for {differing[0]} / "
                                    f"行数与清单不符")


def _check_same_vendor(path: Path, theirs: str, ours: str) -> None:
    if theirs != ours:
        raise BackupError(
            f"{path} is a {_vendor_name(theirs)} backup; this system uses {_vendor_name(ours)}. "
            f"Nothing was changed. (To move between databases, export and import the data instead.)\n"
            f"该备份来自 {_vendor_name(theirs)} 数据库，本系统使用 {_vendor_name(ours)}，"
            f"不能直接恢复。未做任何更改。"
        )


def check_compatible(backup: VerifiedBackup, connection: BaseDatabaseWrapper = default_connection) -> None:
    """Refuse an archive from another database vendor or from a newer safetynet."""
    _check_vendor(connection)
    theirs = backup.manifest["database"]["vendor"]
    _check_same_vendor(backup.path, theirs, connection.vendor)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    unknown = sorted(f"{app}.{name}" for app, names in backup.manifest.get("migrations", {}).items()
                     for name in names if (app, name) not in known)
    if unknown:
        raise BackupError(
            f"{backup.path} was made by a newer safetynet "
            f"(migrations unknown here: {', '.join(unknown[:5])}). "
            f"Upgrade safetynet first. Nothing was changed.\n"
            f"该备份由更新版本的 safetynet 生成，请先升级本系统。未做任何更改。"
        )
    pending = sorted(f"{app}.{name}" for app, name in loader.disk_migrations
                     if name not in backup.manifest.get("migrations", {}).get(app, []))
    if pending:
        backup.notes.append(
            f"The backup predates {len(pending)} migration(s) of this version: run `safetynet migrate` "
            f"after restoring.\n"
            f"备份早于当前版本的 {len(pending)} 个数据库迁移：恢复后请运行 safetynet migrate。"
        )
    if theirs == "postgresql":
        # Reads the dump's table of contents: a dump pg_restore cannot parse is refused here.
        _run_pg([_pg_tool("pg_restore"), "--list", str(backup.database_file)], connection.settings_dict,
                "pg_restore --list")


# --- restore ----------------------------------------------------------------------------------------

def restore_backup(backup: VerifiedBackup, *, connection: BaseDatabaseWrapper = default_connection,
                   media_root: Path | None = None, log: Log = lambda _m: None) -> dict[str, int]:
    """Replace the database and the documents folder with the archive's; returns the restored row counts.

    Preconditions: `backup` came from open_backup and passed check_compatible. The database is
    replaced in one transaction (SQLite backup step / pg_restore --single-transaction), so a failure
    there leaves it as it was; only then are the documents swapped in by renaming folders.
    """
    _outside_transaction(connection)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    log(f"Restoring the {_vendor_name(connection.vendor)} database / 正在恢复数据库 …")
    if connection.vendor == "sqlite":
        _restore_sqlite(backup, connection)
    else:
        _restore_postgresql(backup, connection)
    log(f"Restoring documents into {media_root} / 正在恢复文档 …")
    _swap_documents(backup.documents_dir, media_root)
    counts = current_counts(connection)
    recorded = backup.manifest.get("row_counts", {})
    differing = sorted(label for label in recorded if counts.get(label) != recorded[label])
    if differing:
        raise BackupError(
            f"The restore finished but these row counts differ from the backup: {', '.join(differing)}.\n"
            f"恢复已完成，但以下数据表的行数与备份不一致：{', '.join(differing)}。"
        )
    return counts


def _restore_sqlite(backup: VerifiedBackup, connection: BaseDatabaseWrapper) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{backup.database_file}?mode=ro", uri=True)
    try:
        # Copy into the live connection rather than replacing the file: WAL and shared-memory files,
        # other processes' open connections and in-memory test databases all stay valid. The copy
        # is one write transaction on the destination; other writers wait on the busy timeout.
        source.backup(connection.connection, pages=-1)
    except sqlite3.Error as error:
        raise BackupError(f"Restoring the database failed; it was left as it was: {error}\n"
                          f"恢复数据库失败，数据库保持原样：{error}") from error
    finally:
        source.close()


def _restore_postgresql(backup: VerifiedBackup, connection: BaseDatabaseWrapper) -> None:
    pg_restore = _pg_tool("pg_restore")
    connection.close()  # hold no locks of our own while pg_restore drops and recreates tables
    _run_pg([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(backup.database_file)],
            connection.settings_dict, "pg_restore")


def _swap_documents(staged: Path, media_root: Path) -> None:
    stamp = datetime.datetime.now().strftime("%Y%m%d%H%M%S%f")
    old = media_root.parent / f".{media_root.name}-before-restore-{stamp}"
    try:
        if media_root.exists():
            os.rename(media_root, old)
        os.rename(staged, media_root)
    except OSError:
        # MEDIA_ROOT may be a mount point, which cannot be renamed: swap its contents instead.
        if old.exists() and not media_root.exists():
            os.rename(old, media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        old.mkdir()
        for child in list(media_root.iterdir()):
            os.rename(child, old / child.name)
        for child in list(staged.iterdir()):
            shutil.move(child, media_root / child.name)
    shutil.rmtree(old, ignore_errors=True)
