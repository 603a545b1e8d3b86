"""The competency framework: model, YAML files and Moodle's CSV.

The names of the former module ``competency.framework`` are re-exported here, so
``from competency.framework import ...`` keeps working.
"""

from competency.framework.model import (
    DEFAULT_FRAMEWORK_NAME,
    ID_PATTERN,
    SCHEMA_NAME,
    Competency,
    Framework,
    Level,
    default_framework_path,
    dump_framework,
    framework_to_dict,
    load_framework,
    parse_framework,
    render_framework,
    schema_path,
)

__all__ = [
    "DEFAULT_FRAMEWORK_NAME",
    "ID_PATTERN",
    "SCHEMA_NAME",
    "Competency",
    "Framework",
    "Level",
    "default_framework_path",
    "dump_framework",
    "framework_to_dict",
    "load_framework",
    "parse_framework",
    "render_framework",
    "schema_path",
]
