/*
 * 강좌 학생용 JupyterLab 도우미 (ctxcourse-studentlab).
 *
 * - 명령 '과제 확인 (Validate)' (ctxcourse:validate, Alt+Shift+V, 명령 팔레트의 '과제 (Course)' 분류)와 노트북 도구 막대의
 *   '과제 확인' 단추: 노트북을 저장한 뒤 서버의 /ctxcourse/validate로 새 커널에서 실행하고, 문제별 점수와
 *   실패한 테스트마다 한국어 메시지 한 줄을 스크롤되는 창에 보여 줍니다.
 * - 명령 '과제 목록 (Assignment List)' (ctxcourse:assignment-list, Alt+Shift+A): nbgrader의 과제 목록 패널.
 * - nbgrader 과제 목록의 Submit을 누르면, 노트북에 아직 빈칸(NotImplementedError)이 있거나 저장하지 않은
 *   변경이 있을 때 한국어로 묻습니다.
 * - 제출한 과제 목록의 시각(exchange에는 UTC)을 브라우저의 시간대로, 초 단위까지 보여 줍니다.
 * - 좁은 화면(폭 760px 이하)에서는 왼쪽 사이드바(파일 브라우저)를 닫고 시작합니다.
 * 채점이나 해답 코드는 없습니다.
 */
import { Dialog, ICommandPalette, Notification, ToolbarButton, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

const PLUGIN_ID = 'ctxcourse-studentlab:plugin';
const CMD_VALIDATE = 'ctxcourse:validate';
const CMD_ASSIGNMENTS = 'ctxcourse:assignment-list';
const NARROW = '(max-width: 760px)';
const PALETTE_CATEGORY = '과제 (Course)';

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
    Notification.update({ id: progress, message: '과제 확인이 끝났습니다.', type: 'info', autoClose: 1500 });
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
      if (link && assignment && /validate/i.test(button.textContent || '')) {
        event.stopPropagation();
        event.preventDefault();
        void validateNotebook(app, `${assignment}/${link.textContent.trim()}.ipynb`, null);
      }
      return;
    }
    if (!/submit/i.test(button.textContent || '')) {
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
      button.dataset.ctxConfirmed = '1';
      button.click();
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
        name.title = `exchange에 적힌 시각: ${node.textContent.trim()}`;
        name.classList.add('ctx-local-time');
        node.textContent = `제출 ${LOCAL_TIME.format(when)}`;
      }
    }
  }
}

const plugin = {
  id: PLUGIN_ID,
  description: '강좌 학생용: 한국어 과제 확인(Validate) 창, 제출 전 확인, 좁은 화면 배치',
  autoStart: true,
  requires: [ICommandPalette],
  activate: (app, palette) => {
    const { commands, shell } = app;
    const current = () => {
      const widget = shell.currentWidget;
      return isNotebook(widget) ? widget : null;
    };
    commands.addCommand(CMD_VALIDATE, {
      label: '과제 확인 (Validate)',
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
      label: '과제 목록 (Assignment List)',
      caption: '배포된 과제, 받은 과제, 제출한 과제를 봅니다 (Submit)',
      execute: () => commands.execute('nbgrader:open-assignment-list')
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
          tooltip: '과제 확인 (Validate): 보이는 테스트를 새 커널에서 실행합니다 (Alt+Shift+V)',
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
    new MutationObserver(localizeTimestamps).observe(document.body, { childList: true, subtree: true });

    void app.restored.then(() => {
      if (window.matchMedia && window.matchMedia(NARROW).matches) {
        shell.collapseLeft();
        shell.collapseRight();
      }
    });
  }
};

export default plugin;
