"""Names the tests read off the project's SQL: the names a macro lists, and the final select
of a model (the columns its hand-written select names)."""

from __future__ import annotations

import re

from csm.paths import project_dir


def macro_names(macro_file: str, name: str) -> list[str]:
    """The quoted names in the body of the macro `name` of macros/`macro_file`, in order."""
    sql = (project_dir() / "macros" / macro_file).read_text()
    body = sql[sql.index(f"macro {name}()") :]
    return re.findall(r"'([a-z0-9_]+)'", body[: body.index("endmacro")])


def final_select(model_file: str) -> str:
    """The model's last `select` (models/`model_file`) to the end of the file."""
    sql = (project_dir() / "models" / model_file).read_text()
    return sql[sql.rindex("\nselect\n") :]


def final_select_aliases(model_file: str) -> set[str]:
    """The names the model's last select gives with `as` at the end of a line, up to its from."""
    select = final_select(model_file)
    columns = select[: select.index("\nfrom ")]
    return set(re.findall(r"\bas ([a-z0-9_]+),?$", columns, re.MULTILINE))
