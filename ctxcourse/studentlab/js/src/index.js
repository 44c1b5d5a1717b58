/*
 * 강좌 학생용 JupyterLab 도우미 (ctxcourse-studentlab).
 *
 * - 명령 '과제 확인' (ctxcourse:validate, Alt+Shift+V, 명령 팔레트의 '과제 (Course)' 분류)와 노트북 도구 막대의
 *   '과제 확인' 단추: 노트북을 저장한 뒤 서버의 /ctxcourse/validate로 새 커널에서 실행하고, 문제별 점수와
 *   실패한 테스트마다 한국어 메시지 한 줄을 스크롤되는 창에 보여 줍니다.
 * - 명령 '과제 목록' (ctxcourse:assignment-list, Alt+Shift+A): nbgrader의 과제 목록(Assignment List) 패널.
 *   메뉴 막대의 '과제' 메뉴(schema/plugin.json의 jupyter.lab.menus)에 두 명령이 있습니다. nbgrader 자체의 영어
 *   메뉴는 .jupyter-student/labconfig/page_config.json에서 끕니다.
 * - nbgrader 과제 목록의 영어 글자(탭 이름, 제목, 빈 목록 문구, Fetch/Submit/Fetch Feedback/Validate 단추)를
 *   한국어로 바꾸어 보여 줍니다 (nbgrader의 파일은 고치지 않고, 화면에 그려진 글자만 바꿉니다).
 * - nbgrader 과제 목록의 Submit을 누르면, 노트북에 아직 빈칸(NotImplementedError)이 있거나 저장하지 않은
 *   변경이 있을 때 한국어로 묻고, 제출이 끝나면 제출 시각(학생의 시간대)을 알림으로 보여 줍니다.
 * - 제출한 과제 목록의 시각(exchange에는 UTC)을 브라우저의 시간대로, 초 단위까지 보여 줍니다.
 * - 한국어 언어 팩의 틀린 번역을 고칩니다 ("%1 and %2" → "%1와 %2"는 '커널 재시작와'가 되므로 "%1 및 %2").
 * - 좁은 화면(폭 760px 이하)에서는 왼쪽 사이드바(파일 브라우저)를 닫고 시작합니다.
 * 채점이나 해답 코드는 없습니다.
 */
import { Dialog, ICommandPalette, Notification, ToolbarButton, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ITranslator, requestTranslationsAPI } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

const PLUGIN_ID = 'ctxcourse-studentlab:plugin';
const CMD_VALIDATE = 'ctxcourse:validate';
const CMD_ASSIGNMENTS = 'ctxcourse:assignment-list';
const NARROW = '(max-width: 760px)';
const PALETTE_CATEGORY = '과제 (Course)';
const NBGRADER_ASSIGNMENTS = 'nbgrader:open-assignment-list';
const ASSIGNMENT_LIST_ID = 'nbgrader-assignment-list';
const ASSIGNMENT_LIST_LABEL = '과제 목록';
const SUBMITTED_TOAST_MS = 10000; // 제출 알림이 떠 있는 시간 (닫기 단추로 먼저 닫을 수 있습니다)

/* 한국어 언어 팩(jupyterlab-language-pack-ko-KR)의 틀린 번역 고침: 도메인 → {영어 원문: [한국어]}.
   "%1 and %2" → "%1와 %2"는 받침 있는 말 뒤에서 '커널 재시작와 모든 셀 실행'이 됩니다. */
const TRANSLATION_FIXES = {
  jupyterlab: { '%1 and %2': ['%1 및 %2'] }
};

/* nbgrader 과제 목록의 영어 글자 → 한국어 (nbgrader 0.9의 과제 목록이 그리는 글자 그대로). */
const ASSIGNMENT_LIST_TEXT = {
  'Released, downloaded, and submitted assignments for course:': '강좌:',
  'Released assignments': '배포된 과제 (아직 받지 않음)',
  'Downloaded assignments': '받은 과제: 여기서 푼 노트북을 제출합니다',
  'Submitted assignments': '제출한 과제 (제출 시각)',
  'There are no assignments to fetch.': '받을 새 과제가 없습니다.',
  'There are no downloaded assignments.': '받은 과제가 없습니다.',
  'There are no submitted assignments.': '아직 제출한 과제가 없습니다.',
  'Loading, please wait...': '불러오는 중입니다…',
  'Fetch': '받기',
  'Fetching...': '받는 중…',
  'Submit': '제출',
  'submitting...': '제출하는 중…',
  'Fetch Feedback': '피드백 받기',
  'Fetching Feedback...': '피드백을 받는 중…',
  'Validate': '과제 확인',
  'Validating...': '확인하는 중…',
  '(view feedback)': '(피드백 보기)',
  '(feedback available to fetch)': '(받을 수 있는 피드백이 있습니다)',
  'Error fetching assignment.': '과제를 받지 못했습니다.',
  'Error submitting assignment.': '과제를 제출하지 못했습니다.',
  'Error fetching feedback.': '피드백을 받지 못했습니다.',
  'Error validating assignment.': '과제를 확인하지 못했습니다.',
  'Invalid Submission': '제출할 수 없습니다'
};
const ASSIGNMENT_LIST_TITLES = { 'Refresh assignments list': '과제 목록 새로 고침' };

async function request(path, init) {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, path);
  const response = await ServerConnection.makeRequest(url, init || {}, settings);
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    const reason = (data && data.message) || response.statusText;
    throw new Error(`서버가 ${response.status} 오류를 돌려주었습니다: ${reason}`);
  }
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function points(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function isNotebook(widget) {
  return !!(widget && widget.context && widget.content && widget.context.path &&
            widget.context.path.endsWith('.ipynb'));
}

/** 결과 요약(JSON)을 창의 본문(DOM)으로: 머리말, 문제별 점수, 실패한 테스트의 한국어 메시지, 숨은 테스트 안내. */
function renderSummary(result, path) {
  const body = el('div', 'ctx-validate-body');
  body.setAttribute('tabindex', '0');
  body.setAttribute('role', 'document');
  body.setAttribute('aria-label', '과제 확인 결과');
  body.appendChild(el('div', 'ctx-validate-path', path));
  if (result.error) {
    body.appendChild(el('p', 'ctx-validate-headline ctx-validate-error', result.error));
    body.dataset.status = 'error';
    return body;
  }
  const allPassed = result.graded && result.passed === result.total &&
    !result.changed.length && !result.type_changed.length;
  body.dataset.status = !result.graded ? 'ungraded' : allPassed ? 'success' : 'failed';
  body.appendChild(el('p', 'ctx-validate-headline', result.headline));
  for (const changed of [...(result.type_changed || []), ...(result.changed || [])]) {
    body.appendChild(el('pre', 'ctx-validate-changed', changed));
  }
  for (const problem of result.problems || []) {
    const section = el('section', 'ctx-validate-problem');
    section.dataset.passed = String(problem.passed);
    const done = problem.tests.filter(t => t.passed).length;
    const head = el('h3', 'ctx-validate-problem-title');
    head.appendChild(el('span', 'ctx-validate-mark', problem.passed ? '✔' : '✘'));
    head.appendChild(document.createTextNode(` ${problem.title}`));
    section.appendChild(head);
    section.appendChild(el('p', 'ctx-validate-score',
      `보이는 테스트 점수 ${points(problem.points)}/${points(problem.max_points)}점 · ` +
      `테스트 ${problem.tests.length}개 중 ${done}개 통과`));
    const list = el('ul', 'ctx-validate-tests');
    for (const test of problem.tests) {
      if (test.repeat_of) {
        continue; // 같은 메시지는 처음 테스트에 한 번만 보입니다
      }
      const item = el('li', test.passed ? 'ctx-test-passed' : 'ctx-test-failed');
      item.dataset.gradeId = test.id;
      item.appendChild(el('span', 'ctx-validate-mark', test.passed ? '통과' : '실패'));
      item.appendChild(el('span', 'ctx-test-title', ` ${test.title}`));
      if (!test.passed) {
        const more = test.same_count ? ` (같은 이유로 테스트 ${test.same_count}개 실패)` : '';
        item.appendChild(el('div', 'ctx-test-message', test.message + more));
      }
      list.appendChild(item);
    }
    section.appendChild(list);
    body.appendChild(section);
  }
  if (result.graded) {
    body.appendChild(el('p', 'ctx-validate-hidden', result.hidden_note));
  }
  return body;
}

function openNotebook(app, path) {
  for (const widget of app.shell.widgets('main')) {
    if (isNotebook(widget) && widget.context.path === path) {
      return widget;
    }
  }
  return null;
}

/** 노트북 ``path``를 확인합니다. 열려 있으면 먼저 저장합니다 (확인은 저장된 파일을 새 커널에서 실행합니다). */
async function validateNotebook(app, path, button) {
  const panel = openNotebook(app, path);
  if (button) {
    button.addClass('ctx-busy');
  }
  const progress = Notification.emit('과제를 확인하는 중입니다: 새 커널에서 노트북을 처음부터 실행합니다…',
    'in-progress', { autoClose: false });
  let result;
  try {
    if (panel) {
      await panel.context.save();
    }
    result = await request('ctxcourse/validate', { method: 'POST', body: JSON.stringify({ path }) });
  } catch (error) {
    result = { error: `과제를 확인하지 못했습니다: ${error.message || error}` };
  } finally {
    // 진행 알림은 결과 창이 뜰 때 닫습니다 (결과 창이 곧 '끝났다'는 표시입니다).
    Notification.dismiss(progress);
    if (button) {
      button.removeClass('ctx-busy');
    }
  }
  const wrapper = el('div', 'ctx-validate-dialog-body');
  wrapper.appendChild(renderSummary(result, path));
  const body = new Widget({ node: wrapper });
  return showDialog({
    title: '과제 확인 결과',
    body,
    buttons: [Dialog.okButton({ label: '닫기' })],
    focusNodeSelector: '.ctx-validate-body',
    hasClose: true
  });
}

/** 피드백 받기: 돌려받을 피드백이 아직 없으면 nbgrader는 아무 말 없이 서버 기록에만 오류를 남깁니다. 목록이
 * '받을 수 있는 피드백이 있습니다'라고 하지 않는 과제에서는 서버에 묻지 않고 한국어로 알립니다. */
function explainFeedbackFetch() {
  document.addEventListener('click', event => {
    const button = event.target instanceof Element && event.target.closest('#submitted_assignments_list button');
    const label = button ? (button.textContent || '').trim() : '';
    if (!button || (label !== '피드백 받기' && label !== 'Fetch Feedback')) {
      return;
    }
    const row = button.closest('.list_item');
    const text = row ? row.textContent || '' : '';
    if (/받을 수 있는 피드백이 있습니다|feedback available to fetch/.test(text)) {
      return;
    }
    event.stopPropagation();
    event.preventDefault();
    const nameNode = row && row.querySelector('.item_name');
    const assignment = nameNode ? nameNode.textContent.trim().split(/\s/)[0] : '';
    Notification.info(`${assignment}: 아직 돌려받은 피드백이 없습니다. 강사가 채점하고 피드백을 돌려준 뒤에 ` +
                      '다시 누르세요.', { autoClose: SUBMITTED_TOAST_MS });
  }, true);
}

/** nbgrader 과제 목록의 Submit 앞에서: 빈칸이나 저장하지 않은 변경이 있으면 묻습니다. */
function guardSubmit(app) {
  document.addEventListener('click', async event => {
    const button = event.target instanceof Element &&
      event.target.closest('#fetched_assignments_list .item_status button');
    if (!button || button.dataset.ctxConfirmed === '1' || button.disabled) {
      if (button) {
        delete button.dataset.ctxConfirmed;
      }
      return;
    }
    if (button.closest('.nested_list_item')) {
      // 과제 목록 안의 노트북별 Validate: nbgrader의 영어 창 대신 같은 한국어 과제 확인 창을 씁니다.
      const link = button.closest('.nested_list_item').querySelector('.item_name a');
      const group = button.closest('.assignment-notebooks');
      const owner = group && group.parentElement && group.parentElement.querySelector('.item_name');
      const assignment = owner ? owner.textContent.trim() : '';
      if (link && assignment) {
        event.stopPropagation();
        event.preventDefault();
        void validateNotebook(app, `${assignment}/${link.textContent.trim()}.ipynb`, null);
      }
      return;
    }
    event.stopPropagation();
    event.preventDefault();
    const row = button.closest('.list_item');
    const nameNode = row && row.querySelector('.item_name');
    const assignment = nameNode ? nameNode.textContent.trim() : '';
    const dirty = [];
    for (const widget of app.shell.widgets('main')) {
      if (isNotebook(widget) && widget.context.path.startsWith(`${assignment}/`) && widget.context.model.dirty) {
        dirty.push(widget);
      }
    }
    let notebooks = [];
    try {
      const check = await request(`ctxcourse/submission-check?assignment=${encodeURIComponent(assignment)}`);
      notebooks = check.notebooks || [];
    } catch (error) {
      console.warn('ctxcourse: submission check failed', error);
    }
    const stubs = notebooks.filter(nb => nb.stubs.length);
    const proceed = () => {
      const before = submissionTimes(assignment);
      button.dataset.ctxConfirmed = '1';
      button.click();
      announceSubmission(assignment, before);
    };
    if (!dirty.length && !stubs.length) {
      proceed();
      return;
    }
    const body = el('div', 'ctx-submit-warning');
    body.appendChild(el('p', '', `제출할 과제: ${assignment}/ (이 폴더의 노트북을 그대로 냅니다)`));
    if (dirty.length) {
      body.appendChild(el('p', 'ctx-submit-dirty',
        `저장하지 않은 변경이 있습니다: ${dirty.map(w => w.context.path).join(', ')}. ` +
        '저장하지 않은 내용은 제출되지 않습니다.'));
    }
    for (const nb of stubs) {
      body.appendChild(el('p', 'ctx-submit-stubs',
        `${assignment}/${nb.path}에 아직 풀지 않은 함수가 있습니다 (raise NotImplementedError): ` +
        `${nb.stubs.join(', ')}. 이대로 내면 그 문제는 0점입니다.`));
    }
    const buttons = [Dialog.cancelButton({ label: '돌아가기' })];
    if (dirty.length) {
      buttons.push(Dialog.okButton({ label: '저장하고 제출' }));
    } else {
      buttons.push(Dialog.warnButton({ label: '그래도 제출' }));
    }
    // 빈칸이 남았으면 Enter가 '돌아가기'를 고르도록 합니다.
    const answer = await showDialog({
      title: '제출하기 전에 확인하세요', body: new Widget({ node: body }), buttons, defaultButton: dirty.length ? 1 : 0
    });
    if (!answer.button.accept) {
      return;
    }
    for (const widget of dirty) {
      await widget.context.save();
    }
    proceed();
  }, true);
}

const UTC_STAMP = /^\s*(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? UTC\s*$/;
const LOCAL_TIME = new Intl.DateTimeFormat('ko-KR', {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  hour12: false, timeZoneName: 'short'
});

/** 제출한 과제 목록의 UTC 시각(마이크로초까지)을 학생 브라우저의 시간대로, 초 단위까지 바꾸어 보여 줍니다. */
function localizeTimestamps() {
  const list = document.getElementById('submitted_assignments_list');
  if (!list) {
    return;
  }
  for (const name of list.querySelectorAll('.item_name')) {
    for (const node of name.childNodes) {
      const match = node.nodeType === Node.TEXT_NODE && UTC_STAMP.exec(node.textContent || '');
      if (!match) {
        continue;
      }
      const millis = match[3] ? match[3].slice(0, 4) : '';
      const when = new Date(`${match[1]}T${match[2]}${millis}Z`);
      if (!isNaN(when.getTime())) {
        name.title = `제출 시각 (세계 표준시): ${node.textContent.trim()}`;
        name.dataset.ctxSubmitted = when.toISOString();
        name.classList.add('ctx-local-time');
        node.textContent = `제출 ${LOCAL_TIME.format(when)}`;
      }
    }
  }
}

/** 제출한 과제 목록에서 ``assignment``의 제출 시각들 (ISO, localizeTimestamps가 읽어 둔 것). */
function submissionTimes(assignment) {
  const list = document.getElementById('submitted_assignments_list');
  if (!list) {
    return [];
  }
  const times = [];
  for (const row of list.querySelectorAll(':scope > .list_item')) {
    const owner = row.querySelector(':scope > div > .item_name');
    if (owner && owner.textContent.trim() === assignment) {
      for (const stamp of row.querySelectorAll('[data-ctx-submitted]')) {
        times.push(stamp.dataset.ctxSubmitted);
      }
    }
  }
  return times;
}

/** Submit 뒤: 제출한 과제 목록에 새 제출 시각이 나타나면 한국어 알림으로 알립니다 (학생의 시간대). */
function announceSubmission(assignment, before) {
  const seen = new Set(before);
  const observer = new MutationObserver(() => {
    const fresh = submissionTimes(assignment).filter(t => !seen.has(t)).sort();
    if (!fresh.length) {
      return;
    }
    observer.disconnect();
    window.clearTimeout(giveUp);
    const when = LOCAL_TIME.format(new Date(fresh[fresh.length - 1]));
    Notification.success(`${assignment}을(를) 제출했습니다 (${when}). 여러 번 내도 됩니다: 마지막 제출이 채점됩니다.`,
                         { autoClose: SUBMITTED_TOAST_MS });
  });
  // 제출이 실패하면 nbgrader가 '제출할 수 없습니다' 창을 띄웁니다: 2분이 지나면 더 기다리지 않습니다.
  const giveUp = window.setTimeout(() => observer.disconnect(), 120000);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true,
                                    attributeFilter: ['data-ctx-submitted'] });
}

/** nbgrader 과제 목록(과 그 제출 오류 창)의 영어 글자를 한국어로 바꿉니다. 이미 바꾼 글자는 그대로 둡니다. */
function translateAssignmentList() {
  const root = document.getElementById(ASSIGNMENT_LIST_ID);
  const nodes = [];
  if (root) {
    nodes.push(...root.querySelectorAll(
      '#assignments_list_info, .panel-heading, .list_placeholder > div, .list_loading > div, .list_error > div, ' +
      '.item_status button, .nested_list_item .item_name > a, .nested_list_item .item_name > span'));
    for (const node of root.querySelectorAll('[title]')) {
      const title = ASSIGNMENT_LIST_TITLES[node.getAttribute('title')];
      if (title) {
        node.setAttribute('title', title);
      }
    }
  }
  for (const node of nodes) {
    const text = (node.textContent || '').trim();
    const korean = ASSIGNMENT_LIST_TEXT[text];
    if (korean && node.children.length === 0) {
      node.textContent = node.matches('.nested_list_item .item_name > *') ? ` ${korean}` : korean;
    }
  }
  // 제출이 거절될 때 nbgrader가 띄우는 창의 제목 ('Invalid Submission')
  for (const header of document.querySelectorAll('.jp-Dialog-header')) {
    for (const node of header.childNodes) {
      const korean = node.nodeType === Node.TEXT_NODE && ASSIGNMENT_LIST_TEXT[(node.textContent || '').trim()];
      if (korean) {
        node.textContent = korean;
      }
    }
  }
}

/** nbgrader 과제 목록 탭의 이름('Assignments')을 한국어로. */
function relabelAssignmentList(shell) {
  for (const widget of shell.widgets('main')) {
    if (widget.id === ASSIGNMENT_LIST_ID && widget.title.label !== ASSIGNMENT_LIST_LABEL) {
      widget.title.label = ASSIGNMENT_LIST_LABEL;
      widget.title.caption = '과제 목록: 받은 과제를 제출하고, 제출한 시각을 봅니다 (nbgrader Assignment List)';
    }
  }
}

/** 한국어 언어 팩의 틀린 번역을 TRANSLATION_FIXES로 고칩니다 (언어 팩의 파일은 그대로 두고, 불러온 번역만). */
async function fixTranslations(translator) {
  const locale = (translator.languageCode || '').replace('-', '_');
  if (!/^ko/i.test(locale)) {
    return;
  }
  const response = await requestTranslationsAPI('', locale);
  const data = (response && response.data) || {};
  for (const [domain, fixes] of Object.entries(TRANSLATION_FIXES)) {
    const bundle = translator.load(domain);
    if (!data[domain] || !bundle || typeof bundle.loadJSON !== 'function') {
      continue;
    }
    const messages = JSON.parse(JSON.stringify(data[domain]));
    const headers = messages[''] || {};
    if (headers.plural_forms && !headers.pluralForms) {
      headers.pluralForms = headers.plural_forms;
      delete headers.plural_forms;
    }
    bundle.loadJSON(Object.assign(messages, fixes), domain);
  }
}

const plugin = {
  id: PLUGIN_ID,
  description: '강좌 학생용: 한국어 과제 확인(Validate) 창, 제출 전 확인, 좁은 화면 배치',
  autoStart: true,
  requires: [ICommandPalette],
  optional: [ITranslator],
  activate: (app, palette, translator) => {
    const { commands, shell } = app;
    const current = () => {
      const widget = shell.currentWidget;
      return isNotebook(widget) ? widget : null;
    };
    commands.addCommand(CMD_VALIDATE, {
      label: '과제 확인',
      caption: '노트북을 저장하고 새 커널에서 실행해 보이는 테스트를 확인합니다 (숨은 테스트는 채점할 때만).',
      isEnabled: () => current() !== null,
      execute: args => {
        const panel = current();
        if (!panel) {
          return showDialog({ title: '과제 확인', body: '먼저 과제 노트북을 여세요.',
                              buttons: [Dialog.okButton({ label: '닫기' })] });
        }
        return validateNotebook(app, panel.context.path, null);
      }
    });
    commands.addCommand(CMD_ASSIGNMENTS, {
      label: ASSIGNMENT_LIST_LABEL,
      caption: '받은 과제를 제출하고, 제출한 과제와 제출 시각을 봅니다 (nbgrader Assignment List)',
      execute: async () => {
        await commands.execute(NBGRADER_ASSIGNMENTS);
        relabelAssignmentList(shell);
      }
    });
    // nbgrader의 과제 목록은 레이아웃 복원 때도 nbgrader의 명령으로 열립니다.
    commands.commandExecuted.connect((_, args) => {
      if (args.id === NBGRADER_ASSIGNMENTS) {
        void args.result.then(() => relabelAssignmentList(shell), () => undefined);
      }
    });
    // Lumino의 팔레트 검색은 ASCII 단어 경계(\b\w)에서만 찾기 시작하므로, 분류 이름에 영어 단어를 넣어 두어야
    // 한국어 검색어('과제 확인')로도 찾아집니다.
    palette.addItem({ command: CMD_VALIDATE, category: PALETTE_CATEGORY });
    palette.addItem({ command: CMD_ASSIGNMENTS, category: PALETTE_CATEGORY });

    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: panel => {
        const button = new ToolbarButton({
          className: 'ctx-validate-button',
          label: '과제 확인',
          tooltip: '과제 확인 (nbgrader의 Validate): 노트북을 저장하고 보이는 테스트를 새 커널에서 실행합니다 (Alt+Shift+V)',
          onClick: () => {
            if (shell.currentWidget !== panel) {
              shell.activateById(panel.id);
            }
            void validateNotebook(app, panel.context.path, button);
          }
        });
        panel.toolbar.insertItem(0, 'ctxcourse-validate', button);
        return button;
      }
    });

    guardSubmit(app);
    explainFeedbackFetch();
    new MutationObserver(() => {
      translateAssignmentList();
      localizeTimestamps();
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
    if (translator) {
      fixTranslations(translator).catch(error => console.warn('ctxcourse: translation fixes not applied', error));
    }

    void app.restored.then(() => {
      if (window.matchMedia && window.matchMedia(NARROW).matches) {
        shell.collapseLeft();
        shell.collapseRight();
      }
    });
  }
};

export default plugin;
