"""강사용 명령 ``course`` (the instructor command line).

강좌 폴더(nbgrader_config.py가 있는 폴더)에서 실행합니다. 단계마다 명령 하나:

    course release --all          source/ → release/ (nbgrader generate_assignment)
    course autograde --all        submitted/ → autograded/ (샌드박스, 병렬, 위조 불가 채점)
    course feedback --all         autograded/ → feedback/ (학생별 한국어 피드백 페이지)
    course export                 성적부 → grades.csv (nbgrader CSV 내보내기)
    course report                 학생별·문제별 표, 흔한 실패, 의심 표시
    course demo                   위 과정을 데모 반으로 한 번에 (배포 → 데모 제출 → 채점 → 내보내기 → 확인)
"""

from __future__ import annotations

import sys

from . import grading as _grading  # noqa: F401  (먼저: 느린 선택 모듈을 막는 설정, grading/__init__.py)

import argparse
import os
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .grading.config import default_jobs
from .grading.course import Course, CourseError, load_course
from .grading.untrusted import for_terminal as safe

EXIT_ERROR = 2
EXIT_SANDBOX = 3
EXIT_DEMO_MISMATCH = 1


def _quiet_warnings() -> None:
    warnings.filterwarnings("ignore", module=r"nbgrader(\.|$)")
    warnings.filterwarnings("ignore", module=r"sqlalchemy(\.|$)")
    warnings.filterwarnings("ignore", message=r".*not in session.*")
    warnings.filterwarnings("ignore", message=r".*missing an id field.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def _progress(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False)


def _assignments(course: Course, args, *, from_gradebook: bool = False) -> list[str]:
    """명령줄의 과제 이름 또는 --all을 과제 목록으로 바꿉니다."""
    available = course.source_assignments()
    if from_gradebook:
        with course.gradebook() as gb:
            released = [a.name for a in gb.assignments]
        available = sorted(set(available) | set(released))
    if getattr(args, "all", False) and getattr(args, "assignment", None):
        raise CourseError(f"과제 이름({args.assignment})과 --all을 함께 쓸 수 없습니다. 하나만 주세요. "
                          f"(give an assignment or --all, not both)")
    if getattr(args, "all", False) or (getattr(args, "student", None) and not getattr(args, "assignment", None)):
        if not available:
            raise CourseError(f"{course.root / 'source'}에 과제가 없습니다. source/<과제>/<과제>.ipynb를 만드세요.")
        return available
    name = getattr(args, "assignment", None)
    if not name:
        example = f"course {args.command} {available[0] if available else '01_repeat'}"
        raise CourseError(f"과제 이름을 주거나 --all을 쓰세요. 예: {example}  (give an assignment or --all)")
    if name not in available:
        listing = ", ".join(available) or "(없음)"
        raise CourseError(f"과제 '{name}'를 찾을 수 없습니다. 있는 과제: {listing}")
    return [name]


# ---------------------------------------------------------------------------
# release
# ---------------------------------------------------------------------------

def release_assignment(course: Course, name: str) -> Path:
    """nbgrader generate_assignment (Python API, 덮어쓰기)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException

    course.coursedir.assignment_id = name
    course.coursedir.student_id = "."
    converter = GenerateAssignment(coursedir=course.coursedir, config=course.config, log=course.log)
    converter.force = True
    try:
        converter.start()
    except NbGraderException as error:
        raise CourseError(f"'{name}' 배포(generate_assignment)에 실패했습니다: {error}. 자세한 기록: "
                          f"{course.state_dir / 'logs' / 'nbgrader.log'}") from None
    finally:
        course.coursedir.student_id = "*"
    return course.root / course.coursedir.release_directory / name


def release_to_exchange(course: Course, name: str) -> None:
    """nbgrader의 release_assignment로 exchange의 배포본을 새 버전으로 바꿉니다 (학생의 Fetch가 받는 것)."""
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    root = Path(str(course.config.Exchange.get("root") or "/srv/nbgrader/exchange"))
    if not root.exists():
        root.mkdir(parents=True)
        os.chmod(root, 0o777)   # nbgrader 문서: exchange 뿌리는 모든 사용자가 쓸 수 있어야 합니다
    course.coursedir.assignment_id = name
    releaser = ExchangeReleaseAssignment(coursedir=course.coursedir, config=course.config, log=course.log)
    releaser.force = True
    try:
        releaser.start()
    except ExchangeError as error:
        raise CourseError(f"'{name}'를 exchange에 배포하지 못했습니다: {error}. exchange 폴더({course.config.Exchange.get('root')})가 "
                          f"있고 쓸 수 있는지 확인하세요. (could not release to the exchange)") from None


def _graded_before(course: Course, name: str) -> int:
    folder = course.state_dir / "grading" / name
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def cmd_release(args, console: Console) -> int:
    from .grading.releases import record_release

    course = load_course(args.course_dir)
    names = _assignments(course, args)
    table = Table(title="배포한 과제 (release/)")
    for column in ("과제", "노트북", "테스트 셀", "만점", "폴더"):
        table.add_column(column)
    with _progress(console) as progress:
        task = progress.add_task("과제 배포 (generate_assignment)", total=len(names))
        for name in names:
            progress.update(task, description=f"배포: {name}")
            folder = release_assignment(course, name)
            version, changed = record_release(course, name)
            if changed and _graded_before(course, name):
                console.print(f"[yellow]{name}: 테스트나 배점이 바뀐 새 배포본(버전 {version})입니다. 이미 채점한 제출물 "
                              f"{_graded_before(course, name)}개는 예전 버전으로 채점되었습니다: 'course autograde {name}'를 "
                              f"실행하면 바뀐 제출물로 보고 지금 버전으로 다시 채점합니다. 예전 배포본의 테스트 셀은 "
                              f"'강사가 바꾼 테스트'로 기록되며 의심 표시가 붙지 않습니다.[/yellow]")
            if args.exchange:
                release_to_exchange(course, name)
            with course.gradebook() as gb:
                assignment = gb.find_assignment(name)
                tests = sum(len([c for c in nb.grade_cells if c.cell_type == "code"]) for nb in assignment.notebooks)
                table.add_row(name, str(len(assignment.notebooks)), str(tests), f"{assignment.max_score:g}",
                              str(folder.relative_to(course.root)))
            progress.advance(task)
    console.print(table)
    return 0


# ---------------------------------------------------------------------------
# autograde
# ---------------------------------------------------------------------------

class RichProgress:
    """채점 엔진의 진행 상황을 rich 진행 막대로 보여 줍니다."""

    def __init__(self, progress: Progress, console: Console):
        self.progress = progress
        self.console = console
        self.task = None

    def start(self, total: int, skipped: int) -> None:
        if skipped:
            self.console.print(f"이미 채점했고 바뀌지 않은 제출물 {skipped}개는 건너뜁니다 (다시 채점: --force).")
        self.task = self.progress.add_task("채점 (autograde)", total=total)

    def advance(self, report) -> None:
        problems = report.reasons + [f"[의심] {f['detail']}" for f in report.flags]
        if problems:
            self.console.print(f"[yellow]•[/yellow] {safe(report.student, 80)}/{report.assignment} "
                               f"({report.score:g}/{report.max_score:g}): " + " / ".join(safe(p, 300) for p in problems[:3])
                               + (" ..." if len(problems) > 3 else ""))
        self.progress.advance(self.task)

    def note(self, text: str) -> None:
        self.console.print(f"[dim]{text}[/dim]")


def run_autograde(course: Course, assignments: list[str], console: Console, *, student=None, jobs=None,
                  sandbox=True, force=False, timeout=None, memory=None, wall_timeout=None, scheduler=None):
    from .grading.engine import GradingEngine
    from .grading.config import limits_for

    limits = limits_for(course.config, course.cell_timeout(), timeout=timeout, memory_mb=memory,
                        wall_timeout=wall_timeout)
    if not sandbox:
        console.print("[bold red]경고: --no-sandbox[/bold red] 학생 코드가 강사 권한으로, 네트워크와 강좌 폴더에 접근할 수 "
                      "있는 상태로 실행됩니다. 믿을 수 있는 제출물에만 쓰세요. (student code runs unprotected)")
    started = time.monotonic()
    executor = _cluster_executor(scheduler, limits, sandbox, console) if scheduler else None
    from .grading.cluster import ClusterStopped, ClusterUnavailable

    try:
        if executor is not None:
            jobs = jobs or executor.connect()   # 기본: 작업자들의 스레드 수만큼 동시에
        with _progress(console) as progress:
            engine = GradingEngine(course, jobs=jobs, sandbox=sandbox, force=force, limits=limits,
                                   progress=RichProgress(progress, console), executor=executor)
            reports = engine.grade(assignments, student)
    except ClusterUnavailable as error:
        raise CourseError(str(error)) from None
    except ClusterStopped:
        raise KeyboardInterrupt from None
    finally:
        if executor is not None:
            executor.close()
    if executor is not None and executor.graded_by:
        console.print("작업자별 채점 수 (graded per worker): " + ", ".join(
            f"{safe(worker, 120)} {count}개" for worker, count in sorted(executor.graded_by.items())))
    return reports, time.monotonic() - started, engine.jobs


def _cluster_executor(scheduler: str, limits, sandbox: bool, console: Console):
    """``--scheduler tcp://HOST:PORT``: 제출물을 Dask 작업자들에게 맡기는 실행자 (:mod:`.grading.cluster`)."""
    from .grading.cluster import DaskExecutor

    if not sandbox:
        raise CourseError("--no-sandbox는 --scheduler와 함께 쓸 수 없습니다: 클러스터의 작업자는 언제나 샌드박스에서 "
                          "채점합니다. (--no-sandbox cannot be used with --scheduler)")
    if not scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
        raise CourseError(f"스케줄러 주소는 tcp://HOST:PORT 꼴이어야 합니다: {safe(scheduler, 200)} "
                          "(scheduler address must look like tcp://HOST:PORT)")
    console.print(f"Dask 스케줄러 {safe(scheduler, 200)}에 연결합니다 (connecting to the Dask scheduler)...")
    return DaskExecutor(scheduler, limits, note=lambda text: console.print(f"[yellow]•[/yellow] {safe(text, 800)}"))


def _scheduler_setting(course: Course, args) -> str | None:
    """--scheduler, 없으면 nbgrader_config.py의 ``c.CourseGrader.scheduler``. --local이면 언제나 이 기계."""
    if getattr(args, "local", False):
        return None
    if args.scheduler:
        return args.scheduler
    configured = course.config.get("CourseGrader", {}).get("scheduler")
    return str(configured) if configured else None


def _summary_table(reports, title: str) -> Table:
    table = Table(title=title)
    for column, justify in (("학생", "left"), ("과제", "left"), ("점수", "right"), ("상태", "left"), ("메모", "left")):
        table.add_column(column, justify=justify)
    status_names = {"graded": "채점", "skipped": "건너뜀(그대로)", "no_notebook": "노트북 없음",
                    "refused": "거절(링크·특수 파일)", "invalid_id": "ID 오류",
                    "unreadable": "읽을 수 없음", "error": "오류"}
    for r in sorted(reports, key=lambda r: (r.assignment, r.student)):
        memo = "; ".join(r.reasons[:2] + [f"의심: {f['kind']}" for f in r.flags[:2]])
        style = "green" if r.max_score and r.score >= r.max_score else ("red" if r.score == 0 else "")
        table.add_row(safe(r.student, 80), r.assignment, f"[{style}]{r.score:g}/{r.max_score:g}[/{style}]" if style else
                      f"{r.score:g}/{r.max_score:g}", status_names.get(r.status, r.status), safe(memo, 120))
    return table


def cmd_autograde(args, console: Console) -> int:
    course = load_course(args.course_dir)
    assignments = _assignments(course, args)
    if args.jobs is not None and args.jobs < 1:
        raise CourseError("--jobs는 1 이상이어야 합니다. (--jobs must be at least 1)")
    reports, seconds, jobs = run_autograde(course, assignments, console, student=args.student, jobs=args.jobs,
                                           sandbox=not args.no_sandbox, force=args.force, timeout=args.timeout,
                                           memory=args.memory, wall_timeout=args.wall_timeout,
                                           scheduler=_scheduler_setting(course, args))
    console.print(_summary_table(reports, "채점 결과 (autograded/, gradebook.db)"))
    graded = sum(r.status != "skipped" for r in reports)
    flagged = sum(bool(r.flags) for r in reports)
    console.print(f"제출물 {len(reports)}개 (새로 채점 {graded}개, 작업자 {jobs}개, {seconds:.1f}초). "
                  f"의심 표시가 있는 제출물: {flagged}개 → 'course report'로 자세히 보세요.")
    return 0


# ---------------------------------------------------------------------------
# feedback, export, report
# ---------------------------------------------------------------------------

def cmd_feedback(args, console: Console) -> int:
    from .grading.feedback_build import make_feedback

    course = load_course(args.course_dir)
    assignments = _assignments(course, args, from_gradebook=True)
    made = 0
    with _progress(console) as progress:
        task = progress.add_task("피드백 페이지", total=len(assignments))
        for name in assignments:
            autograded = course.root / course.coursedir.autograded_directory
            if not any(autograded.glob(f"*/{name}/*.ipynb")):
                console.print(f"[yellow]{name}: 채점된 제출물이 없어 건너뜁니다 (먼저 'course autograde {name}').[/yellow]")
                progress.advance(task)
                continue
            result = make_feedback(course, name, args.student)
            for student, reason in result.skipped:
                console.print(f"[yellow]{name}/{safe(student, 80)}: {safe(reason, 300)}[/yellow]")
            made += len(result.pages)
            progress.advance(task)
    console.print(f"피드백 페이지 {made}개를 {course.root / course.coursedir.feedback_directory}에 만들었습니다. "
                  f"학생에게 나눠 주려면 exchange를 쓸 때 'nbgrader release_feedback <과제>'를 실행하세요.")
    return 0


def export_grades(course: Course, destination: Path, *, excel: bool = False) -> Path:
    from .grading.export import SafeCsvExportPlugin

    destination = Path(destination)
    if not destination.is_absolute():
        destination = course.root / destination
    if not destination.parent.is_dir():
        raise CourseError(f"{destination.parent} 폴더가 없습니다. 있는 폴더의 파일 이름을 --to로 주세요. "
                          f"(the folder does not exist)")
    plugin = SafeCsvExportPlugin(to=str(destination), excel=excel, log=course.log)
    try:
        with course.gradebook() as gb:
            plugin.export(gb)
    except OSError as error:
        raise CourseError(f"{destination}에 쓸 수 없습니다 ({error.strerror}). 다른 파일 이름을 --to로 주세요. "
                          f"(cannot write the file)") from None
    return destination


def cmd_export(args, console: Console) -> int:
    course = load_course(args.course_dir)
    if course.db_url.startswith("sqlite:///") and not Path(course.db_url.replace("sqlite:///", "")).exists():
        raise CourseError("성적부(gradebook.db)가 없습니다. 먼저 'course release --all'과 'course autograde --all'을 실행하세요.")
    if args.wide or args.lms:
        from .grading.export import write_lms, write_wide

        destination = Path(args.to) if Path(args.to).is_absolute() else course.root / args.to
        if not destination.parent.is_dir():
            raise CourseError(f"{destination.parent} 폴더가 없습니다. 있는 폴더의 파일 이름을 --to로 주세요. "
                              f"(the folder does not exist)")
        with course.gradebook() as gb:
            count = write_lms(gb, destination, args.lms) if args.lms else write_wide(gb, destination, excel=args.excel)
        what = f"{args.lms.capitalize()} 가져오기 형식" if args.lms else "학생 한 행"
        console.print(f"학생 {count}명의 과제별 최종 점수를 {safe(destination)}에 내보냈습니다 ({what}).")
        return 0
    path = export_grades(course, Path(args.to), excel=args.excel)
    import csv

    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = max(0, sum(1 for _ in csv.reader(handle)) - 1)
    console.print(f"성적 {rows}행을 {safe(path)}에 내보냈습니다 (nbgrader CSV 형식{', 엑셀용 UTF-8 BOM' if args.excel else ''}).")
    return 0


def render_report(course: Course, assignments: list[str], console: Console, *, top: int = 5) -> None:
    """과제마다 학생별·문제별 표, 가장 많이 실패한 테스트, 의심 표시 (80열 터미널에 맞게: :func:`.grading.report.render`)."""
    from .grading.report import build_report, render

    for name in assignments:
        render(build_report(course, name), console, top=top)


def cmd_report(args, console: Console) -> int:
    course = load_course(args.course_dir)
    if args.assignment or args.all:
        assignments = _assignments(course, args, from_gradebook=True)
    else:
        with course.gradebook() as gb:
            assignments = [a.name for a in gb.assignments]
    if not assignments:
        raise CourseError("성적부에 과제가 없습니다. 먼저 'course release --all'과 'course autograde --all'을 실행하세요.")
    if not (args.html or args.json) or args.terminal:
        render_report(course, assignments, console, top=args.top)
    if args.html or args.json:
        from .grading.class_report import build_class_report, render_html, to_json, write_text

        if not 0.0 < args.threshold <= 1.0:
            raise CourseError("--threshold는 0보다 크고 1 이하여야 합니다 (예: 0.8). (threshold must be in (0, 1])")
        report = build_class_report(course, assignments, threshold=args.threshold)
        import json

        for option, make in ((args.html, render_html), (args.json, lambda r: json.dumps(to_json(r), ensure_ascii=False,
                                                                                        indent=1))):
            if not option:
                continue
            path = Path(option)
            path = path if path.is_absolute() else Path.cwd() / path
            if not path.parent.is_dir():
                raise CourseError(f"{path.parent} 폴더가 없습니다. 있는 폴더의 파일 이름을 주세요. (the folder does not exist)")
            try:
                write_text(path, make(report))
            except OSError as error:
                raise CourseError(f"{path}에 쓸 수 없습니다 ({error.strerror}). (cannot write the file)") from None
            console.print(f"반 전체 보고서를 {safe(path)}에 썼습니다.")
        pairs = sum(len(s.similar_pairs) for s in report.assignments)
        console.print(f"과제 {len(report.assignments)}개, 비슷한 코드 쌍 {pairs}개 (기준 {args.threshold:g}), "
                      f"과제를 건너 남은 오개념 {len(report.persistent)}개.")
    return 0


# ---------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------

def check_demo(course: Course, submissions) -> list[tuple]:
    """데모 제출물마다 (학생, 과제, 종류, 잃은 테스트, 기대한 테스트, 맞는지)."""
    from nbgrader.api import MissingEntry

    rows = []
    with course.gradebook() as gb:
        for sub in submissions:
            try:
                submission = gb.find_submission(sub.assignment, sub.student)
                lost = {g.name for nb in submission.notebooks for g in nb.grades
                        if g.max_score and (g.score or 0) < g.max_score}
            except MissingEntry:
                lost = None
            rows.append((sub.student, sub.assignment, sub.kind, lost, set(sub.expected_lost),
                         lost == set(sub.expected_lost)))
    return rows


DEMO_DIR = "demo"
DEMO_MARKER = ".ctxcourse-demo"


def prepare_demo_course(live: Course, folder: Path) -> Course:
    """데모 반을 위한 새 강좌 폴더: 실제 강좌의 nbgrader_config.py와 source/만 복사합니다. 이전 데모 폴더
    (표시 파일이 있는 것)만 지우고 다시 만들며, 다른 폴더는 지우지 않습니다."""
    import shutil

    folder = folder.resolve()
    if folder == live.root or live.root in folder.parents and folder.parent != live.root:
        raise CourseError(f"데모 폴더로 {folder}를 쓸 수 없습니다. 강좌 폴더 바로 아래의 새 폴더나 다른 곳을 주세요.")
    if folder.exists():
        if not (folder / DEMO_MARKER).is_file():
            raise CourseError(f"{folder}가 이미 있고 데모 폴더가 아닙니다. 지우지 않습니다: --into로 다른 폴더를 주세요. "
                              f"(the folder exists and is not a demo folder)")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / DEMO_MARKER).write_text("course demo가 만든 폴더입니다. 다음 데모가 지우고 다시 만듭니다.\n", encoding="utf-8")
    shutil.copy2(live.root / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(live.root / live.coursedir.source_directory, folder / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"), symlinks=True)
    return load_course(folder)


def cmd_demo(args, console: Console) -> int:
    from .demo import available_assignments, build_demo_class, check_diagnoses
    from .grading.releases import record_release

    from .mistakes import BANK_FOLDER, use_bank

    live = load_course(args.course_dir)
    if not (live.root / BANK_FOLDER).is_dir():
        raise CourseError(f"데모 반을 만들 실수 모음 {live.root / BANK_FOLDER}가 없습니다. 강사용 저장소(강좌 폴더)에서 "
                          f"실행하세요. (the demo needs the instructor's mistake bank)")
    use_bank(live.root / BANK_FOLDER)
    course = prepare_demo_course(live, Path(args.into) if args.into else live.root / DEMO_DIR)
    console.print(f"데모 강좌 폴더: {course.root} (실제 강좌의 성적부·제출물은 건드리지 않습니다)")
    assignments = available_assignments(course.root)
    if not assignments:
        raise CourseError(f"{live.root / 'source'}에 과제가 없습니다 (01_repeat ... 05_attention_weights).")
    console.rule("1. 과제 배포 (course release --all)")
    with _progress(console) as progress:
        task = progress.add_task("배포", total=len(assignments))
        for name in assignments:
            progress.update(task, description=f"배포: {name}")
            release_assignment(course, name)
            record_release(course, name)
            progress.advance(task)
    console.rule("2. 데모 반 만들기 (submitted/)")
    submissions = build_demo_class(course.root, assignments, size=args.size, planted=args.size is None)
    students = sorted({s.student for s in submissions})
    console.print(f"학생 {len(students)}명, 제출물 {len(submissions)}개 (정답, 빈 제출, 흔한 실수).")
    console.rule("3. 채점 (course autograde --all)")
    reports, seconds, jobs = run_autograde(course, assignments, console, jobs=args.jobs,
                                           sandbox=not args.no_sandbox, force=args.force)
    console.print(f"채점 {len(reports)}개, 작업자 {jobs}개, {seconds:.1f}초.")
    console.rule("4. 성적 내보내기 (grades.csv)")
    path = export_grades(course, course.root / "grades.csv")
    console.print(f"{path}")
    console.rule("5. 피드백 페이지 (course feedback --all)")
    from .grading.feedback_build import make_feedback

    pages = [page for name in assignments for page in make_feedback(course, name).pages]
    console.print(f"학생별 한국어 피드백 페이지 {len(pages)}개: {course.root / course.coursedir.feedback_directory}")
    console.rule("6. 반 요약 (course report)")
    render_report(course, assignments, console)
    from .grading.class_report import build_class_report, render_html, write_text

    html_report = course.root / "report.html"
    class_report = build_class_report(course, assignments)
    write_text(html_report, render_html(class_report))
    console.print(f"반 전체 보고서 (문항 분석, 흔한 오개념, 비슷한 코드): {html_report}")
    console.rule("7. 데모 점수 확인")
    rows = check_demo(course, submissions)
    wrong = [row for row in rows if not row[5]]
    kinds = Table(title="제출 종류별 결과")
    for column in ("과제", "종류", "제출물", "기대대로"):
        kinds.add_column(column)
    grouped: dict[tuple, list] = {}
    for row in rows:
        grouped.setdefault((row[1], row[2]), []).append(row[5])
    for (assignment, kind), oks in sorted(grouped.items()):
        kinds.add_row(assignment, kind, str(len(oks)), "[green]✓[/green]" if all(oks) else f"[red]✗ {oks.count(False)}[/red]")
    console.print(kinds)
    if wrong:
        for student, assignment, kind, lost, expected, _ in wrong:
            console.print(f"[red]✗ {student}/{assignment} ({kind}): 잃은 테스트 {sorted(lost or [])}, "
                          f"기대 {sorted(expected)}[/red]")
        console.print(f"[bold red]데모 점수 확인 실패: {len(wrong)}/{len(rows)}개 제출물이 기대와 다릅니다.[/bold red]")
        return EXIT_DEMO_MISMATCH
    console.print(f"[bold green]데모 점수 확인 통과: 제출물 {len(rows)}개가 모두 기대한 테스트에서만 점수를 잃었습니다.[/bold green]")
    problems = check_diagnoses(course, submissions)
    if problems:
        for problem in problems:
            console.print(f"[red]✗ {safe(problem, 300)}[/red]")
        console.print(f"[bold red]데모 진단 id 확인 실패: {len(problems)}개 테스트의 진단이 실수 모음에 적힌 id와 다릅니다.[/bold red]")
        return EXIT_DEMO_MISMATCH
    console.print("[bold green]데모 진단 id 확인 통과: 실수마다 실수 모음에 적힌 진단 id가 나왔습니다.[/bold green]")
    for section in class_report.assignments:
        for pair in section.similar_pairs:
            console.print(f"비슷한 코드 ({section.assignment}): {' ↔ '.join(safe(s, 60) for s in pair.students)} "
                          f"(유사도 {pair.score:.2f})")
    console.print(f"데모 강좌의 결과: {course.root} (autograded/, feedback/, grades.csv, gradebook.db). "
                  f"이 강좌로 다른 명령을 해 보려면: course --course-dir {course.root} report")
    console.print(f"반 전체 보고서 (브라우저로 여세요): {html_report}", soft_wrap=True)
    return 0


# ---------------------------------------------------------------------------
# backup, restore, clean
# ---------------------------------------------------------------------------

def cmd_backup(args, console: Console) -> int:
    from .grading.backup import backup, has_data

    course = load_course(args.course_dir)
    if not has_data(course):
        console.print("백업할 학기 데이터가 없습니다 (성적부, 제출물, 채점 결과, 피드백, exchange가 모두 비어 있음).")
        return 0
    path = backup(course, Path(args.to) if args.to else None)
    console.print(f"백업했습니다: {path}  (되살리기: course restore {path})")
    return 0


def cmd_restore(args, console: Console) -> int:
    from .grading.backup import restore

    course = load_course(args.course_dir)
    saved = restore(course, Path(args.archive))
    if saved:
        console.print(f"되살리기 전의 데이터는 {saved}에 백업해 두었습니다.")
    console.print(f"{args.archive}를 {course.root}에 되살렸습니다.")
    return 0


def cmd_clean(args, console: Console) -> int:
    from .grading.backup import backup, has_data, kept_database, remove_data

    course = load_course(args.course_dir)
    if not has_data(course):
        console.print("지울 학기 데이터가 없습니다.")
        return 0
    path = backup(course)
    removed = remove_data(course)
    console.print(f"먼저 {path}에 백업한 뒤 지웠습니다: {', '.join(removed) or '(강좌 폴더에는 없음)'}. "
                  f"되살리기: course restore {path}")
    kept = kept_database(course)
    if kept:
        console.print(kept)
    return 0


# ---------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="어텐션의 맥락 벡터 강좌의 강사용 명령. 강좌 폴더(nbgrader_config.py가 있는 폴더)에서 실행합니다. "
                    "(Instructor commands for the course; run them from the course folder.)",
        epilog="예: course demo  |  course release --all  |  course autograde --all --jobs 2  |  course report")
    parser.add_argument("--course-dir", metavar="PATH", default=None,
                        help="강좌 폴더 (기본: 현재 폴더). The course folder (default: current folder).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def assignment_args(sub, what: str) -> None:
        sub.add_argument("assignment", nargs="?", help=f"{what}할 과제 이름 (예: 01_repeat). Assignment name.")
        sub.add_argument("--all", action="store_true", help=f"모든 과제를 {what}합니다. All assignments.")

    release = commands.add_parser(
        "release", help="source/에서 학생용 release/를 만듭니다 (nbgrader generate_assignment, 덮어쓰기). "
                        "Generate student notebooks.",
        description="source/<과제>에서 해답과 숨은 테스트를 뺀 release/<과제>를 만들고 성적부에 과제를 등록합니다. "
                    "(Runs nbgrader generate_assignment with --force.)")
    assignment_args(release, "배포")
    release.add_argument("--exchange", action="store_true",
                         help="exchange에도 배포합니다 (nbgrader release_assignment --force; 학생이 Fetch로 새 버전을 받음). "
                              "Also release to the exchange.")
    release.set_defaults(func=cmd_release)

    autograde = commands.add_parser(
        "autograde", help="submitted/의 제출물을 샌드박스에서 병렬로 채점합니다. Grade submissions in parallel, sandboxed.",
        description="nbgrader autograde와 같은 성적부·같은 결과 폴더(autograded/)를 쓰지만, 학생 코드를 bubblewrap "
                    "샌드박스에서 실행하고 테스트 판정을 학생 코드가 건드릴 수 없는 깨끗한 프로세스에서 다시 내립니다. "
                    "이미 채점했고 바뀌지 않은 제출물은 건너뜁니다. (Same gradebook and output as nbgrader autograde; "
                    "student code runs in a sandbox; verdicts are re-derived in a clean process; resumable.)")
    assignment_args(autograde, "채점")
    autograde.add_argument("--student", metavar="ID",
                           help="이 학생만 (언제나 새로) 채점합니다. Regrade only this student.")
    autograde.add_argument("--jobs", "-j", type=int, metavar="N", default=None,
                           help=f"동시에 채점할 제출물 수 (기본: CPU 코어 수 + 1 = {default_jobs()}). Parallel workers.")
    autograde.add_argument("--no-sandbox", action="store_true",
                           help="샌드박스 없이 실행합니다 (위험: 학생 코드가 강사 권한으로 실행됨). "
                                "Run without the sandbox (unsafe; for machines that cannot run bubblewrap).")
    autograde.add_argument("--force", action="store_true",
                           help="바뀌지 않은 제출물도 다시 채점합니다. Regrade even unchanged submissions.")
    autograde.add_argument("--timeout", type=int, metavar="SECONDS", default=None,
                           help="셀 하나의 시간 제한 (기본: nbgrader_config.py의 Execute.timeout). Per-cell timeout.")
    autograde.add_argument("--memory", type=int, metavar="MB", default=None,
                           help="학생 프로세스 하나의 메모리 한도 (기본 3072MB). Memory limit per sandboxed process.")
    autograde.add_argument("--wall-timeout", type=int, metavar="SECONDS", default=None,
                           help="제출물 하나의 전체 실행 시간 한도 (기본: 셀 시간 제한 × 3 + 60초, 최소 300초). "
                                "Wall-clock limit per submission.")
    autograde.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                           help="제출물을 이 Dask 스케줄러의 작업자들에게 맡깁니다 (작업자마다 샌드박스; 성적부는 이 기계). "
                                "nbgrader_config.py의 c.CourseGrader.scheduler로도 정합니다. "
                                "Grade on the workers of this Dask scheduler.")
    autograde.add_argument("--local", action="store_true",
                           help="설정에 스케줄러가 있어도 이 기계에서 채점합니다. Grade on this machine even if a "
                                "scheduler is configured.")
    autograde.set_defaults(func=cmd_autograde)

    feedback = commands.add_parser(
        "feedback", help="채점된 노트북으로 학생별 한국어 피드백 페이지를 만듭니다. Make Korean feedback pages.",
        description="autograded/의 노트북과 성적부에서 feedback/<학생>/<과제>/<과제>.html을 만듭니다: 총점과 문제별 점수, "
                    "테스트마다 설명과 판정, 실패한 보이는 테스트의 한국어 진단, 학생의 코드와 출력. 테스트 코드, 숨은 "
                    "테스트의 메시지와 기대값, 해답은 넣지 않고, 학생 출력의 HTML·스크립트는 글자로만 보입니다. "
                    "nbgrader release_feedback이 이 페이지를 나눠 줍니다. (Korean feedback pages without hidden tests, "
                    "reference values or live student HTML; nbgrader release_feedback hands them out.)")
    assignment_args(feedback, "피드백")
    feedback.add_argument("--student", metavar="ID", help="이 학생만. Only this student.")
    feedback.set_defaults(func=cmd_feedback)

    export = commands.add_parser(
        "export", help="성적을 CSV로 내보냅니다 (nbgrader CSV 내보내기). Export grades to CSV.",
        description="성적부의 모든 과제·학생의 점수를 nbgrader의 CSV 형식으로 씁니다. (nbgrader's CSV export.)")
    export.add_argument("--to", metavar="FILE", default="grades.csv",
                        help="저장할 파일 (기본: 강좌 폴더의 grades.csv). Output file.")
    export.add_argument("--lms", choices=("canvas", "moodle"), default=None,
                        help="Canvas나 Moodle 성적부가 가져가는 CSV로 씁니다 (학생 ID로 맞춤). Gradebook import file.")
    export.add_argument("--wide", action="store_true",
                        help="학생 한 행, 과제마다 한 열, 합계 열로 씁니다 (학교 성적표용). One row per student with totals.")
    export.add_argument("--excel", action="store_true",
                        help="UTF-8 BOM을 붙여 엑셀에서 한글이 깨지지 않게 합니다. Add a UTF-8 BOM for Excel.")
    export.set_defaults(func=cmd_export)

    report = commands.add_parser(
        "report", help="학생별·문제별 점수표, 흔한 실패와 메시지, 의심 표시를 보여 줍니다. Class report.",
        description="성적부와 채점 기록에서 과제마다 학생별·문제(채점 함수)별 점수, 가장 많이 실패한 테스트와 그 "
                    "한국어 메시지, 부정행위 의심 표시를 보여 줍니다. (Per-student, per-question table; common failures; flags.)")
    assignment_args(report, "요약")
    report.add_argument("--top", type=int, default=5, metavar="N",
                        help="보여 줄 실패 테스트 수 (기본 5). How many failed tests to list.")
    report.add_argument("--html", metavar="FILE", default=None,
                        help="반 전체 보고서를 한 장의 HTML로 씁니다 (그림 포함, 오프라인으로 열림): 점수 분포, 테스트별 "
                             "난이도·변별도, 오개념, 학생×테스트 히트맵, 비슷한 코드 쌍, 늦은 제출·채점 실패. "
                             "Write the self-contained HTML class report.")
    report.add_argument("--json", metavar="FILE", default=None,
                        help="같은 수를 JSON으로 씁니다 (스키마: ctxcourse/grading/report_schema.json). "
                             "Write the same numbers as JSON.")
    report.add_argument("--threshold", type=float, default=0.8, metavar="X",
                        help="비슷한 코드로 볼 겹친 비율 (0~1, 기본 0.8). Similarity threshold for copied work.")
    report.add_argument("--terminal", action="store_true",
                        help="--html/--json과 함께 터미널 표도 보여 줍니다. Also print the terminal tables.")
    report.set_defaults(func=cmd_report)

    backup_cmd = commands.add_parser(
        "backup", help="성적부·제출물·채점 결과·피드백·exchange·채점 상태를 한 파일로 백업합니다. Back up the semester.",
        description="git이 보관하지 않는 학기 데이터(gradebook.db, submitted/, autograded/, feedback/, exchange/, "
                    ".course_state/, grades.csv)를 backups/course-<시각>.tar.gz에 묶습니다. (Back up everything git does not keep.)")
    backup_cmd.add_argument("--to", metavar="FOLDER", default=None, help="백업을 둘 폴더 (기본: backups/). Folder.")
    backup_cmd.set_defaults(func=cmd_backup)

    restore_cmd = commands.add_parser(
        "restore", help="백업 파일을 되살립니다 (지금 데이터는 먼저 백업). Restore a backup.",
        description="course backup이 만든 tar.gz를 강좌 폴더에 되살립니다. 지금 있는 학기 데이터는 먼저 새 백업으로 "
                    "남긴 뒤 바꿉니다. (Restores a backup; the current data is backed up first.)")
    restore_cmd.add_argument("archive", help="백업 파일 (backups/course-....tar.gz). Backup file.")
    restore_cmd.set_defaults(func=cmd_restore)

    clean_cmd = commands.add_parser(
        "clean", help="학기 데이터를 백업한 뒤 지웁니다 (make clean). Back up, then remove the semester data.",
        description="course backup과 같은 백업을 먼저 만든 뒤 성적부·제출물·채점 결과·피드백·exchange·채점 상태를 "
                    "지웁니다. 백업 경로와 되살리는 명령을 알려 줍니다. (Always backs up first.)")
    clean_cmd.set_defaults(func=cmd_clean)

    demo = commands.add_parser(
        "demo", help="데모: 모든 과제 배포 → 데모 반 제출 → 채점 → grades.csv → 요약과 점수 확인. The main job.",
        description="모든 과제를 배포하고, 정답·빈 제출·흔한 실수로 데모 반을 만들어 샌드박스에서 채점하고, grades.csv로 "
                    "내보낸 뒤, 학생별·문제별 요약과 '제출물마다 기대한 테스트에서만 점수를 잃었는지' 확인을 보여 줍니다. "
                    "확인이 실패하면 종료 코드 1. (Release, build the demo class, autograde, export, summarise, check.)")
    demo.add_argument("--into", metavar="PATH", default=None,
                      help="데모 강좌를 만들 폴더 (기본: 강좌 폴더의 demo/; 실제 강좌는 건드리지 않음). Demo course folder.")
    demo.add_argument("--size", type=int, default=None, metavar="N",
                      help="데모 반의 학생 수: 정답, 빈 제출, 실수 모음의 실수를 돌려 가며 정확히 N명 (기본: 실수 모음을 모두 "
                           "쓰는 크기에 베낀 코드를 심은 학생들을 더한 반). Exactly N demo students (default: the full "
                           "class, planted copies included).")
    demo.add_argument("--jobs", "-j", type=int, metavar="N", default=None,
                      help=f"동시에 채점할 제출물 수 (기본: CPU 코어 수 + 1 = {default_jobs()}). Parallel workers.")
    demo.add_argument("--no-sandbox", action="store_true",
                      help="샌드박스 없이 채점합니다 (위험). Grade without the sandbox (unsafe).")
    demo.add_argument("--force", action="store_true",
                      help="이미 채점한 제출물도 다시 채점합니다. Regrade everything.")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv=None) -> int:
    _quiet_warnings()
    parser = build_parser()
    args = parser.parse_args(argv)
    console = Console()
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    from .grading.sandbox import SandboxUnavailable

    try:
        return args.func(args, console)
    except CourseError as error:
        console.print(f"[bold red]오류:[/bold red] {safe(error)}")
        return EXIT_ERROR
    except SandboxUnavailable as error:
        console.print(f"[bold red]샌드박스 오류:[/bold red] {error}")
        return EXIT_SANDBOX
    except KeyboardInterrupt:
        console.print("[yellow]중단했습니다. 같은 명령을 다시 실행하면 채점하지 못한 제출물부터 이어서 채점합니다. "
                      "(interrupted; run again to resume)[/yellow]")
        return 130
    except Exception as error:  # noqa: BLE001  (강사에게 traceback 대신 무엇을 할지)
        import tempfile
        import traceback

        with tempfile.NamedTemporaryFile("w", prefix="course-error-", suffix=".log", delete=False,
                                         encoding="utf-8") as handle:
            traceback.print_exc(file=handle)
        console.print(f"[bold red]예상하지 못한 오류:[/bold red] {safe(type(error).__name__)}: {safe(error, 300)}. "
                      f"자세한 기록: {handle.name}. 같은 명령을 다시 실행해 보고, 되풀이되면 이 기록을 개발자에게 보내 주세요. "
                      f"(unexpected error; details in the log file)")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
