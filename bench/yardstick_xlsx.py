"""Yardsticks for the xlsx benchmarks: what the same work costs written by hand with the bare libraries.

* `export_bare` - the certificate info table (AH20 附件5) of one batch: one hand-written SQL query over a
  psycopg server-side cursor, the ID number decrypted per row, the same 12 columns written with xlsxwriter's
  constant_memory mode (`write_string` per cell, no formats, no formula escaping).
* `write_bare` - only the writing: pre-fetched rows x cells with xlsxwriter constant_memory.
* `parse_bare` - openpyxl's read-only parse of a sheet, every cell value read (no validation, no database).
"""

from __future__ import annotations

EXPORT_SQL = """
    SELECT c.holder_name, c.id_type, c.id_number, c.employer, c.occupation_name, c.work_type, c.level, c.number,
           c.issue_date, c.institution_name, a.city
    FROM certificates_certificate c
    JOIN assessments_assessmentbatch b ON b.id = c.batch_id
    LEFT JOIN assessments_candidate a ON a.certificate_id = c.id
    WHERE b.plan_number LIKE %s
    ORDER BY c.number
"""


def write_bare(path: str, header, rows) -> int:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    write_string = sheet.write_string
    for column, title in enumerate(header):
        write_string(0, column, title)
    r = 0
    for r, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            write_string(r, column, value)
    workbook.close()
    return r


def export_bare(path: str, dsn: str, plan_suffix: str) -> int:
    """Query, decrypt and write by hand; needs Django settings only for the personal-data key."""
    import psycopg

    from assessments.exports import CERTIFICATE_INFO_HEADER, LEVEL_NAMES
    from filing_portal.personal_data import decrypt_value

    def rows(cursor):
        for name, id_type, id_number, employer, occupation, work_type, level, number, issued, institution, city \
                in cursor:
            yield (name, id_type, decrypt_value(id_number), employer, occupation, work_type, LEVEL_NAMES[level],
                   number, issued.isoformat(), institution, institution, city or "")

    with psycopg.connect(dsn) as conn, conn.cursor(name="yardstick_export") as cursor:
        cursor.itersize = 2000
        cursor.execute(EXPORT_SQL, ["%" + plan_suffix])
        return write_bare(path, CERTIFICATE_INFO_HEADER, rows(cursor))


def parse_bare(path: str) -> int:
    """openpyxl read-only: every row's values, nothing else."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = 0
    for values in workbook.worksheets[0].iter_rows(min_row=2, values_only=True):
        if any(v is not None for v in values):
            count += 1
    workbook.close()
    return count
