"""Households from spreadsheets (.xlsx, .csv): the template, reading, cleaning, grouping, applying.

The layout is one row per person; every row names its household (户编号, or the head's ID number
户主身份证号). `COLUMNS` is the one table of the layout: the template, its 说明 sheet, the import
and the export (registry.exports) all read it.

The unit is the household. A household whose rows all read cleanly is stored whole — a new one
through `bulk.household_bulk_create`, a registered one through the single-record services so that
its changes show on its timeline — or handed back whole: every row of a rejected household goes
into the returned file as the user wrote it, with the reason in 错误原因. Nothing is lost.

Reading accepts what can be read without guessing: full-width digits, a lowercase x, stray spaces,
dates written 1950年1月1日 / 1950/1/1 / 1950-1-1 / 19500101 or as date cells, amounts with 元 or
thousands separators, codes whose leading zeros Excel dropped, a code or its Chinese name, a title
row or a two-row (merged) header above the data, columns in any order, empty rows. Anything else
is rejected with a reason, and so is a cell whose value the file does not hold (a formula a program
wrote without its result, an error such as #N/A): never read as blank. For a registered household
a blank cell means "no change", and so does a masked value as a masked export shows it: an export
can be edited and imported again.

Entry points: `import_start` (a service: checks, stores the upload, queues the task on commit) and
`run_import` (the work; the task calls it, and so may a benchmark, synchronously).

The package follows the steps of the work: `layout` (the columns), `reading` (cells and files),
`rows` and `importer` (cleaning, grouping, new households), `checks` (rows against the user's area
and other households; bulk's errors placed on rows), `registered` (applying to registered
households), `returned` (the file handed back), `jobs` (the job, its worker, reading jobs) and
`template`. Everything callers use is importable from here.
"""

from safetynet.registry.imports.importer import (
    Importer,
)
from safetynet.registry.imports.jobs import (
    STALE_AFTER,
    import_files_purge,
    import_job_get,
    import_job_list,
    import_resume,
    import_start,
    may_download_rejected,
    may_resume,
    run_import,
    settle_interrupted,
)
from safetynet.registry.imports.layout import (
    ASSET,
    ASSET_TYPES,
    BATCH_HOUSEHOLDS,
    CHOICE_ALIASES,
    CHOICE_SUFFIXES,
    COLUMN_OF,
    COLUMNS,
    DATA_SHEET,
    ERROR_HEADER,
    HEADER_SCAN_ROWS,
    HOUSEHOLD,
    HOUSEHOLD_IMPORT_FIELDS,
    IGNORED_HEADERS,
    INCOME,
    INCOME_CATEGORIES,
    KEY,
    LISTS_SHEET,
    MAX_IMPORT_BYTES,
    MEMBER,
    NOTES_SHEET,
    PERIOD,
    PERSON,
    PERSON_IMPORT_FIELDS,
    ROW_HEADER,
    SYSTEM,
    Column,
    choice_label,
    header_of,
    match_header,
)
from safetynet.registry.imports.reading import (
    CellError,
    FileError,
    Masked,
    Sheet,
    cell_reader,
    read_amount,
    read_area,
    read_bool,
    read_cell,
    read_certificate,
    read_choice,
    read_date,
    read_division,
    read_id,
    read_key,
    read_name,
    read_phone,
    read_sheet,
    read_system,
    read_text,
    read_village,
    sniff_spreadsheet,
)
from safetynet.registry.imports.returned import (
    rejected_workbook,
    returned_reasons,
    text_cell,
)
from safetynet.registry.imports.rows import (
    Group,
    Outcome,
    Row,
)
from safetynet.registry.imports.template import (
    TEMPLATE_ROWS,
    TEMPLATE_RULES,
    template_csv,
    template_workbook,
)

__all__ = [
    "ASSET",
    "ASSET_TYPES",
    "BATCH_HOUSEHOLDS",
    "CHOICE_ALIASES",
    "CHOICE_SUFFIXES",
    "COLUMNS",
    "COLUMN_OF",
    "CellError",
    "Column",
    "DATA_SHEET",
    "ERROR_HEADER",
    "FileError",
    "Group",
    "HEADER_SCAN_ROWS",
    "HOUSEHOLD",
    "HOUSEHOLD_IMPORT_FIELDS",
    "IGNORED_HEADERS",
    "INCOME",
    "INCOME_CATEGORIES",
    "Importer",
    "KEY",
    "LISTS_SHEET",
    "MAX_IMPORT_BYTES",
    "MEMBER",
    "Masked",
    "NOTES_SHEET",
    "Outcome",
    "PERIOD",
    "PERSON",
    "PERSON_IMPORT_FIELDS",
    "ROW_HEADER",
    "Row",
    "STALE_AFTER",
    "SYSTEM",
    "Sheet",
    "TEMPLATE_ROWS",
    "TEMPLATE_RULES",
    "cell_reader",
    "choice_label",
    "header_of",
    "import_files_purge",
    "import_job_get",
    "import_job_list",
    "import_resume",
    "import_start",
    "match_header",
    "may_download_rejected",
    "may_resume",
    "read_amount",
    "read_area",
    "read_bool",
    "read_cell",
    "read_certificate",
    "read_choice",
    "read_date",
    "read_division",
    "read_id",
    "read_key",
    "read_name",
    "read_phone",
    "read_sheet",
    "read_system",
    "read_text",
    "read_village",
    "rejected_workbook",
    "returned_reasons",
    "run_import",
    "settle_interrupted",
    "sniff_spreadsheet",
    "template_csv",
    "template_workbook",
    "text_cell",
]
