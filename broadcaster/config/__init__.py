"""Station configuration: YAML files -> frozen models, with line marks and every problem at once (`check`).

Private modules: `_yaml` (reading with line marks), `_values` (field value types), `_sections` and `_schema`
(the station/bulletin schema), `_crosschecks` (rules across keys), `_load` (loading and `check`), `_lookup` (a date, village or session
as the officer names it).
"""

from broadcaster.config._load import (
    BULLETIN_DIR,
    STATION_FILE,
    bulletin_files,
    check_station,
    display_path,
    is_error,
    load_bulletins,
    load_station,
)
from broadcaster.config._lookup import parse_day, resolve_slot, resolve_zone
from broadcaster.config._values import Notice

__all__ = [
    "BULLETIN_DIR",
    "STATION_FILE",
    "Notice",
    "bulletin_files",
    "check_station",
    "display_path",
    "is_error",
    "load_bulletins",
    "load_station",
    "parse_day",
    "resolve_slot",
    "resolve_zone",
]
