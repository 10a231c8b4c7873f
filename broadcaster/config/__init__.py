"""Station configuration: YAML files -> frozen models, with line marks and every problem at once (`check`).

Private modules: `_yaml` (the one YAML loader: line marks and hard limits), `_values` (field value types),
`_sections` and `_schema` (the station/bulletin schema), `_crosschecks` (rules across keys), `_load` (loading and
`check`), `_lookup` (a date, village or session as the officer names it), `_approval` (the content key an
approval binds to), `_write` (bulletin files written round-trip and atomically, as the desk saves them).
"""

from broadcaster.config._approval import approval_key
from broadcaster.config._load import (
    BULLETIN_DIR,
    STATION_FILE,
    bulletin_files,
    check_bulletin_file,
    check_station,
    display_path,
    is_error,
    load_bulletins,
    load_station,
    outside_station,
    read_station_yaml,
)
from broadcaster.config._lookup import parse_day, resolve_slot, resolve_zone
from broadcaster.config._values import Notice, fold
from broadcaster.config._write import FileChanged, file_sha, write_bulletin
from broadcaster.config._yaml import MAX_FILE_BYTES, YNode, read_bytes_bounded

__all__ = [
    "BULLETIN_DIR",
    "MAX_FILE_BYTES",
    "STATION_FILE",
    "FileChanged",
    "Notice",
    "YNode",
    "approval_key",
    "bulletin_files",
    "check_bulletin_file",
    "check_station",
    "display_path",
    "file_sha",
    "fold",
    "is_error",
    "load_bulletins",
    "load_station",
    "outside_station",
    "parse_day",
    "read_bytes_bounded",
    "read_station_yaml",
    "resolve_slot",
    "resolve_zone",
    "write_bulletin",
]
