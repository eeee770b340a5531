"""The shipped taxonomy, and reading a taxonomy file line by line with precise errors."""

from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.intake.models import Category
from app.intake.taxonomy import initials, load_default_taxonomy, parse_rows, read_csv, save_rows

CASE_TYPES = {"fire_hazard_rectification", "hotline_matter"}
HEADER = "code,parent,name,name_en,case_type,unit_kind,time_limit,admitted\n"


def test_default_tree_has_three_levels_and_every_leaf_says_how_it_is_handled(run: Any) -> None:
    def counts() -> tuple[dict[int, int], int]:
        by_level = dict(
            db.session.execute(select(Category.level, func.count()).group_by(Category.level)).tuples().all()
        )
        incomplete = db.session.scalar(
            select(func.count()).where(
                Category.level == 3,
                (Category.case_type.is_(None)) | (Category.unit_kind.is_(None)) | (Category.time_limit.is_(None)),
            )
        )
        return by_level, incomplete or 0

    by_level, incomplete = run(counts)
    assert by_level[1] == 11
    assert by_level[2] >= 25
    assert by_level[3] >= 80
    assert incomplete == 0
    fire_lane = run(lambda: db.session.scalar(select(Category).where(Category.code == "010101")))
    assert (fire_lane.name, fire_lane.initials, fire_lane.case_type) == (
        "消防通道堵塞",
        "xftdds",
        "fire_hazard_rectification",
    )


def test_initials_keep_latin_letters_and_digits() -> None:
    assert initials("12345热线") == "12345rx"
    assert initials("消防隐患") == "xfyh"


def test_bad_lines_are_reported_with_line_and_field_and_nothing_is_saved(run: Any) -> None:
    text = HEADER + "\n".join(
        [
            "99,,测试大类,Test,,,,",  # line 2: fine
            "9901,99,测试中类,,,,,",  # line 3: fine
            "990101,9901,缺字段,,,,,",  # line 4: leaf without case type / unit kind / time limit
            "990102,9901,未知类型,,no_such_type,grid,2 working days,yes",  # line 5
            "990103,9901,坏期限,,hotline_matter,grid,soon,yes",  # line 6
            "990104,9901,坏单位,,hotline_matter,planet,2 hours,maybe",  # line 7: unit kind and admitted
            "99010401,990101,四级,,hotline_matter,grid,2 hours,no",  # line 8: fourth level
            "9902,98,孤儿,,,,,",  # line 9: unknown parent
            "99,,重复,,,,,",  # line 10: duplicate code
            "bad code!,,名称,,,,,",  # line 11
        ]
    )
    rows, errors = run(lambda: parse_rows(read_csv(text), case_types={"hotline_matter"}))
    found = {(e.line, e.field) for e in errors}
    assert found >= {(4, "case_type"), (5, "case_type"), (6, "time_limit"), (7, "unit_kind"), (7, "admitted"),
                     (9, "parent"), (10, "code"), (11, "code")}  # fmt: skip
    assert (8, "parent") in found or (8, "case_type") in found
    assert [row.code for row in rows] == ["99", "9901"]
    assert "soon" in next(e.message for e in errors if e.line == 6)


def test_saving_upserts_by_code(run: Any) -> None:
    text = (
        HEADER
        + "01,,公共安全（改）,Public safety,,,,\n0199,01,新中类,,,,,\n019901,0199,新小类,,hotline_matter,township,5 working days,是\n"
    )

    def save() -> tuple[str, int, bool]:
        rows, errors = parse_rows(read_csv(text), case_types=CASE_TYPES | {"hotline_matter"})
        assert errors == []
        save_rows(rows)
        top = db.session.scalar(select(Category).where(Category.code == "01"))
        leaf = db.session.scalar(select(Category).where(Category.code == "019901"))
        assert top is not None and leaf is not None and leaf.parent is not None
        return top.name, leaf.parent.level, leaf.admitted

    assert run(save) == ("公共安全（改）", 2, True)


def test_the_shipped_tree_leaves_out_items_of_case_types_not_deployed(run: Any) -> None:
    def load() -> tuple[int, int]:
        db.session.execute(Category.__table__.delete())
        added = load_default_taxonomy({"hotline_matter"})
        leaves = db.session.scalars(select(Category.case_type).where(Category.level == 3)).all()
        assert set(leaves) == {"hotline_matter"}
        return added, len(leaves)

    added, leaves = run(load)
    assert leaves > 20
    assert added == leaves + 11 + run(lambda: db.session.scalar(select(func.count()).where(Category.level == 2)))
