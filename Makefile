# 두 명령이면 됩니다:  make demo  (설치 + 강사 채점 데모)   make test  (설치 + 전체 테스트)
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
APT_PKGS := bubblewrap chromium fonts-nanum postgresql
# nbgrader는 'alembic' 같은 명령을 PATH에서 찾습니다: 가상환경의 bin을 앞에 둡니다.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup system demo test lab labextension release clean

setup: system $(STAMP)

# 시스템 패키지: 채점 샌드박스(bubblewrap), 브라우저 테스트(chromium), 브라우저용 한글 글꼴, 그리고 가상환경을
# 아직 만들지 않았는데 $(PY)에 venv/ensurepip가 없으면(Debian의 /usr/bin/python3) python3-venv.
system:
	@missing=""; \
	test -x $(BIN)/python || $(PY) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi nanum || missing="$$missing fonts-nanum"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "시스템 패키지 설치:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS) $$missing >/dev/null; \
	  else \
	    echo "다음 Debian 패키지가 필요합니다 (needs):$$missing  →  sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# ctxcourse/fast_start.pth: 가상환경의 모든 파이썬 프로세스가 쓰지 않는 느린 모듈(rfc3987_syntax)을 건너뜁니다 (파일 안 설명).
$(STAMP): requirements.txt pyproject.toml ctxcourse/fast_start.pth
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	cp ctxcourse/fast_start.pth "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ctxcourse_fast_start.pth"
	touch $(STAMP)

demo: setup
	$(BIN)/course demo

# 전체 묶음 (CI가 부르는 명령): pytest-xdist로 작업자 TEST_WORKERS개가 파일 단위로 나누어 돌립니다.
# 기본은 코어 수 + 1: 많은 테스트가 서버·브라우저·커널을 기다리므로 코어 수만큼이면 CPU의 절반쯤이 놉니다.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# 파일은 tests/conftest.py의 LONGEST_FIRST 순서로 나눕니다 (--no-loadscope-reorder: pytest-xdist는 기본으로 테스트가 많은
# 파일부터 주므로, 테스트 하나짜리 긴 파일(Hub, make lab)이 맨 끝에 홀로 돌았습니다).
test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15

# 빠른 묶음: 커널·노트북 실행·nbgrader 명령·브라우저 없이 (검사 모듈, 실수 모음, 안전 장치, 재현기 단위 테스트).
check: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# 학생 화면: 강의를 student/notebooks/로 복사하고, release/의 과제를 nbgrader exchange로 배포한 뒤
# 학생처럼 받아(Fetch) student/<과제>/<과제>.ipynb를 만들고(이미 있는 파일은 덮어쓰지 않음) 그곳에서 JupyterLab을
# 엽니다 (root이면 --allow-root). source/(해답)는 보이지 않습니다. 학생용 설정은 .jupyter-student/.
# 서버 옵션은 LAB_ARGS로 넘깁니다. 예: make lab LAB_ARGS="--no-browser --port 9999"
# 일반 사용자는 자기 clone에서 시스템 파이썬으로: make lab PY=/usr/bin/python3 (tests/test_student_lab_user.py)
lab: setup
	$(BIN)/python -m ctxcourse.studentlab.lab --course . --student student -- $(LAB_ARGS)

# 학생용 JupyterLab 확장(ctxcourse/studentlab/js)을 다시 빌드합니다 (Node.js와 npm 필요; 결과는 커밋되어 있어
# make lab에는 필요 없습니다).
labextension: setup
	cd ctxcourse/studentlab/js && npm install --no-audit --no-fund && $(CURDIR)/$(BIN)/jupyter-builder build .

# 실행한 강의를 정적 사이트로 (휴대폰에서도 읽기): build/site/index.html
site: setup
	$(BIN)/python docs/build_site.py

release: setup
	$(BIN)/course release --all

# 학기 데이터(성적부, 제출물, 채점 결과, 피드백, exchange)는 git에 없습니다: 지우기 전에 backups/에 백업합니다.
clean: setup
	$(BIN)/course clean

# 강의실 JupyterHub 시험판 (root로 실행): 강사 1명·학생 3명의 Unix 계정, 공용 nbgrader exchange, make lab과 같은
# 한국어 학생 화면. 127.0.0.1:8000에서 열고 로그인 안내(계정, 비밀번호)를 출력합니다. Ctrl+C로 끄고, 다시 실행해도
# 제출물·성적부·비밀번호는 남습니다. 설치·계정·설정은 hub/ctxhub.py, Hub 설정은 hub/jupyterhub_config.py.
# 옵션: make hub HUB_ARGS="--port 8010"   데모 계정과 Hub 상태까지 지우기: make hub HUB_CMD=remove
HUB_CMD ?= start
.PHONY: hub
hub:
	/usr/bin/python3 hub/ctxhub.py $(HUB_CMD) $(HUB_ARGS)

# 여러 기계로 채점하기를 이 기계에서 시험: Dask 스케줄러 하나와 작업자 둘을 127.0.0.1에 띄웁니다 (Ctrl-C로 멈춤).
# 다른 터미널에서: .venv/bin/course autograde --all --scheduler tcp://127.0.0.1:8786   로그: .course_state/cluster/
# 포트 바꾸기: make cluster CLUSTER_PORT=8790
CLUSTER_PORT ?= 8786
.PHONY: cluster
cluster: setup
	@mkdir -p .course_state/cluster; \
	pids=""; trap 'kill $$pids 2>/dev/null; wait 2>/dev/null; echo; echo "클러스터를 멈췄습니다."' EXIT; trap 'exit 0' INT TERM; \
	$(BIN)/dask scheduler --host 127.0.0.1 --port $(CLUSTER_PORT) --no-dashboard \
	  >.course_state/cluster/scheduler.log 2>&1 & pids="$$!"; \
	for i in 1 2; do \
	  $(BIN)/dask worker tcp://127.0.0.1:$(CLUSTER_PORT) --host 127.0.0.1 --nthreads 1 --no-dashboard \
	    --name worker-$$i --death-timeout 120 >.course_state/cluster/worker-$$i.log 2>&1 & pids="$$pids $$!"; \
	done; \
	echo "Dask 스케줄러 tcp://127.0.0.1:$(CLUSTER_PORT)와 작업자 2개를 시작했습니다 (로그: .course_state/cluster/)."; \
	echo "다른 터미널에서 채점하세요:  .venv/bin/course autograde --all --scheduler tcp://127.0.0.1:$(CLUSTER_PORT)"; \
	echo "멈추려면 Ctrl-C를 누르세요. (Dask scheduler + 2 workers on 127.0.0.1; Ctrl-C stops them)"; \
	wait
