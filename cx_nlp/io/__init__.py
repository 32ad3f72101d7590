"""Table input/output: readers (sniffing encodings, delimiters, text columns) and safe, atomic writers."""
from .readers import read_table, table_format
from .writers import TableWriter, check_not_input, defuse, write_table

__all__ = ["read_table", "table_format", "TableWriter", "write_table", "check_not_input", "defuse"]
