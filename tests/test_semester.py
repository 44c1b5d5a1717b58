"""강사의 학기에서 데이터를 잃지 않는지: 백업·정리·복원, 실제 강좌를 건드리지 않는 데모.

- ``course clean``(= ``make clean``)은 지우기 전에 백업하고, ``course restore``는 그 백업으로 강좌를
  파일 하나 다르지 않게 되살립니다 (되살리기 전의 상태도 백업).
- ``course demo``는 자기 폴더(demo/)에서만 돌고, 실제 강좌의 제출물·성적부에는 손대지 않으며, 데모 학생의
  ID는 ``demo-``로 시작해 실제 학생과 겹치지 않습니다. 데모가 만든 피드백 페이지에는 숨은 테스트가 없습니다.
"""

from __future__ import annotations

import csv
import html

import pytest

from conftest import copy_course
from hostile.bank import BY_KEY, write_class
from hostile.harness import course_cmd, released_minicourse, totals, tree_digest

pytestmark = pytest.mark.slow
DATA = ("gradebook.db", "submitted", "autograded", "feedback", ".course_state", "grades.csv")


def test_clean_backs_up_first_and_restore_brings_back_every_file(tmp_path):
    course = released_minicourse(tmp_path / "course")
    write_class(course, [BY_KEY["correct"], BY_KEY["cv_mean"]])
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    course_cmd(course, "feedback", "--all")
    course_cmd(course, "export")
    before = {name: tree_digest(course / name) for name in DATA if (course / name).is_dir()}
    scores = totals(course)
    cleaned = course_cmd(course, "clean")
    assert "백업" in cleaned.stdout and "courserestore" in "".join(cleaned.stdout.split())
    for name in DATA:
        assert not (course / name).exists() or not any((course / name).rglob("*.ipynb")), name
    backups = sorted((course / "backups").glob("course-*.tar.gz"))
    assert len(backups) == 1
    course_cmd(course, "restore", str(backups[0]))
    assert totals(course) == scores
    after = {name: tree_digest(course / name) for name in DATA if (course / name).is_dir()}
    assert after == before
    assert (course / "grades.csv").is_file()
    again = course_cmd(course, "restore", str(backups[0]))
    assert "백업해두었습니다" in "".join(again.stdout.split())
    assert len(list((course / "backups").glob("*.tar.gz"))) == 2


def test_restore_refuses_a_foreign_archive(tmp_path):
    import tarfile

    course = released_minicourse(tmp_path / "course")
    (tmp_path / "evil.txt").write_text("x")
    with tarfile.open(tmp_path / "evil.tar.gz", "w:gz") as archive:
        archive.add(tmp_path / "evil.txt", arcname="source/evil.txt")
    done = course_cmd(course, "restore", str(tmp_path / "evil.tar.gz"), check=False)
    assert done.returncode == 2 and "백업이아닙니다" in "".join(done.stdout.split())
    assert not (course / "source" / "evil.txt").exists()


def test_the_demo_never_touches_the_live_course(tmp_path):
    live = copy_course(tmp_path / "live")
    real = live / "submitted" / "park" / "01_repeat"
    real.mkdir(parents=True)
    (real / "01_repeat.ipynb").write_text('{"진짜": "학생 park의 노트북"}', encoding="utf-8")
    before = tree_digest(live)
    done = course_cmd(live, "demo", "--size", "3", "--jobs", "2", timeout=1800)
    assert "데모점수확인통과" in "".join(done.stdout.split()), done.stdout[-3000:]
    assert tree_digest(live, ("demo", ".course_state/logs")) == before, "데모가 실제 강좌의 파일을 바꾸었습니다"
    assert not (live / "gradebook.db").exists()
    demo = live / "demo"
    with open(demo / "grades.csv", encoding="utf-8", newline="") as handle:
        ids = {row["student_id"] for row in csv.DictReader(handle)}
    assert len(ids) == 3 and all(i.startswith("demo-") for i in ids), ids      # --size 3: 정확히 3명
    report = (demo / "report.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in report and "data:image/png;base64," in report
    assert "HIDDEN TESTS" not in html.unescape(report) and "-1.34717053" not in report
    pages = list((demo / "feedback").glob("*/*/*.html"))
    assert pages
    for page in pages:
        assert "HIDDEN TESTS" not in html.unescape(page.read_text(encoding="utf-8")), page
    (live / "other").mkdir()
    refused = course_cmd(live, "demo", "--into", str(live / "other"), check=False)
    assert refused.returncode == 2 and "데모폴더가아닙니다" in "".join(refused.stdout.split())


def test_report_and_export_tell_the_same_story(tmp_path):
    """명단 전체(미제출 포함), 늦은 제출의 감점과 최종 점수, 평균이 report와 grades.csv에서 같습니다."""
    course = released_minicourse(tmp_path / "course")
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    write_class(course, [BY_KEY["correct"], BY_KEY["cv_mean"]])
    (course / "submitted" / "correct" / "00_mini" / "timestamp.txt").write_text("2026-01-01 09:00:00.000000 UTC")
    (course / "submitted" / "cv_mean" / "00_mini" / "timestamp.txt").write_text("2026-03-01 09:00:00.000000 UTC")
    from hostile.harness import nbgrader_cmd

    nbgrader_cmd(course, "db", "assignment", "add", "00_mini", "--duedate=2026-02-01 00:00:00 UTC")
    nbgrader_cmd(course, "db", "student", "add", "ghost", "--last-name=유령")
    course_cmd(course, "autograde", "--all", "--jobs", "2")
    report = " ".join(course_cmd(course, "report").stdout.split())
    course_cmd(course, "export")
    with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"correct", "cv_mean", "ghost"}
    assert (rows["ghost"]["status"], float(rows["ghost"]["score"])) == ("미제출", 0.0)
    assert rows["cv_mean"]["status"] == "늦음" and float(rows["cv_mean"]["raw_score"]) == 6.0
    assert float(rows["cv_mean"]["late_submission_penalty"]) == 6.0 and float(rows["cv_mean"]["score"]) == 0.0
    assert (rows["correct"]["status"], float(rows["correct"]["score"])) == ("제출", 8.0)
    mean = sum(float(r["score"]) for r in rows.values()) / len(rows)
    assert f"명단 3명 평균 {mean:.1f}/8" in report
    assert "미제출" in report and "늦음 (감점 6)" in report
    course_cmd(course, "export", "--wide", "--excel", "--to", "wide.csv")
    raw = (course / "wide.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "엑셀용 UTF-8 BOM이 없습니다"
    with open(course / "wide.csv", encoding="utf-8-sig", newline="") as handle:
        wide = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(wide) == set(rows) and wide["ghost"]["last_name"] == "유령"
    for student, row in rows.items():
        assert float(wide[student]["00_mini"]) == float(row["score"]) == float(wide[student]["total"])
        assert float(wide[student]["max_total"]) == 8.0
    course_cmd(course, "export", "--lms", "canvas", "--to", "canvas.csv")
    with open(course / "canvas.csv", encoding="utf-8", newline="") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] and canvas[0][5] == "00_mini"
    assert canvas[1][0] == "Points Possible" and float(canvas[1][5]) == 8.0
    assert {r[2]: float(r[5]) for r in canvas[2:]} == {s: float(r["score"]) for s, r in rows.items()}
    course_cmd(course, "export", "--lms", "moodle", "--to", "moodle.csv")
    with open(course / "moodle.csv", encoding="utf-8", newline="") as handle:
        moodle = list(csv.DictReader(handle))
    assert {r["ID number"]: float(r["00_mini"]) for r in moodle} == {s: float(r["score"]) for s, r in rows.items()}

