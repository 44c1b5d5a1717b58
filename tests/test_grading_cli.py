"""강사용 명령 ``course``: 도움말(한국어와 영어), 그리고 무엇을 해야 하는지 말하는 오류들."""

from __future__ import annotations

import pytest

from ctxcourse.cli import build_parser, main
from hostile.harness import course_cmd, released_minicourse
from hostile.minicourse import ASSIGNMENT, build_minicourse

COMMANDS = ("release", "autograde", "feedback", "export", "report", "demo")


def _help(capsys, *args) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_every_option_is_explained_in_korean_and_english(capsys):
    top = _help(capsys)
    for command in COMMANDS:
        assert command in top
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for command in COMMANDS:
        text = _help(capsys, command)
        for action in subparsers[command]._actions:
            if action.dest == "help":
                continue
            assert action.help, f"course {command}의 {action.dest}에 도움말이 없습니다"
            hangul = any("\uac00" <= ch <= "\ud7a3" for ch in action.help)
            latin = any(ch.isascii() and ch.isalpha() for ch in action.help.replace("--", ""))
            assert hangul and latin, f"course {command} {action.dest}: 한국어와 영어가 모두 있어야 합니다: {action.help}"
        assert "usage: course" in text


def test_outside_a_course_folder_says_where_to_run(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["autograde", "--all"]) == 2
    out = capsys.readouterr().out
    assert "강좌 폴더" in out and "--course-dir" in out


def test_errors_say_what_to_do(tmp_path):
    course = build_minicourse(tmp_path / "course")
    before_release = course_cmd(course, "autograde", ASSIGNMENT, check=False)
    assert before_release.returncode == 2 and "course release 00_mini" in before_release.stdout
    course_cmd(course, "release", "--all")
    no_work = course_cmd(course, "autograde", "--all", check=False)
    assert no_work.returncode == 2 and "채점할 제출물이 없습니다" in no_work.stdout and "submitted/" in no_work.stdout
    unknown = course_cmd(course, "autograde", "99_nothing", check=False)
    assert unknown.returncode == 2 and "찾을 수 없습니다" in unknown.stdout and ASSIGNMENT in unknown.stdout
    neither = course_cmd(course, "release", check=False)
    assert neither.returncode == 2 and "--all" in neither.stdout
    jobs = course_cmd(course, "autograde", "--all", "--jobs", "0", check=False)
    assert jobs.returncode == 2 and "--jobs" in jobs.stdout


def test_course_dir_option_and_release_summary(tmp_path):
    course = released_minicourse(tmp_path / "course")
    done = course_cmd(tmp_path, "--course-dir", str(course), "release", ASSIGNMENT)
    assert "배포한 과제" in done.stdout and "release/00_mini" in done.stdout
    assert (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert not (tmp_path / "gradebook.db").exists(), "다른 폴더에서 불렀을 때 그 폴더에 성적부를 만들었습니다"


def test_two_autogrades_in_one_course_do_not_run_at_once(tmp_path):
    import fcntl

    course = released_minicourse(tmp_path / "course")
    (course / "submitted" / "someone" / ASSIGNMENT).mkdir(parents=True)
    (course / ".course_state").mkdir(exist_ok=True)
    with open(course / ".course_state" / "grading.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        busy = course_cmd(course, "autograde", "--all", check=False)
    assert busy.returncode == 2 and "이미 실행 중" in busy.stdout
