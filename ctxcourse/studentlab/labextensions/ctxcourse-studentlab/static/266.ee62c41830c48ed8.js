"use strict";(self.rspackChunkctxcourse_studentlab=self.rspackChunkctxcourse_studentlab||[]).push([[266],{646(e,t,a){var r=a(601),o=a.n(r),n=a(314),i=(a.n(n))()(o());i.push([e.id,`/* 강좌 학생용 도우미의 스타일: 과제 확인 창, 제출 전 확인 창, 과제 목록, 알림, 좁은 화면. */

/* 과제 확인 창: 화면보다 길면 창 안에서 스크롤됩니다 (PageDown, Space, 화살표 키). */
.ctx-validate-dialog-body {
  max-width: min(46rem, 92vw);
}

.ctx-validate-body {
  max-height: min(60vh, 40rem);
  overflow-y: auto;
  overflow-x: hidden;
  padding: 0 4px 4px 0;
  line-height: 1.5;
  word-break: keep-all;
  overflow-wrap: anywhere;
  outline: none;
}

.ctx-validate-body:focus-visible {
  outline: 2px solid var(--jp-brand-color1);
}

.ctx-validate-path {
  color: var(--jp-ui-font-color2);
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
}

.ctx-validate-headline {
  font-weight: bold;
  margin: 6px 0 10px;
}

.ctx-validate-body[data-status='success'] .ctx-validate-headline {
  color: var(--jp-success-color1);
}

.ctx-validate-body[data-status='failed'] .ctx-validate-headline,
.ctx-validate-error {
  color: var(--jp-error-color1);
}

.ctx-validate-problem-title {
  font-size: var(--jp-content-font-size2);
  margin: 10px 0 2px;
}

.ctx-validate-problem[data-passed='true'] .ctx-validate-problem-title > .ctx-validate-mark {
  color: var(--jp-success-color1);
}

.ctx-validate-problem[data-passed='false'] .ctx-validate-problem-title > .ctx-validate-mark {
  color: var(--jp-error-color1);
}

.ctx-validate-score {
  margin: 0 0 4px;
  color: var(--jp-ui-font-color1);
}

.ctx-validate-tests {
  margin: 0;
  padding-left: 1.2em;
}

.ctx-validate-tests li {
  margin: 4px 0;
}

.ctx-validate-tests .ctx-validate-mark {
  display: inline-block;
  min-width: 2.6em;
  font-weight: bold;
}

.ctx-test-passed .ctx-validate-mark {
  color: var(--jp-success-color1);
}

.ctx-test-failed .ctx-validate-mark {
  color: var(--jp-error-color1);
}

.ctx-test-message {
  margin: 2px 0 0 2.6em;
  padding: 4px 8px;
  border-left: 3px solid var(--jp-error-color1);
  background: var(--jp-layout-color2);
  white-space: pre-wrap;
}

.ctx-validate-changed {
  white-space: pre-wrap;
  max-height: 8em;
  overflow: auto;
}

.ctx-validate-hidden {
  margin-top: 12px;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size1);
}

.ctx-validate-button.ctx-busy {
  opacity: 0.6;
  pointer-events: none;
}

.ctx-submit-warning {
  max-width: min(40rem, 90vw);
  word-break: keep-all;
  overflow-wrap: anywhere;
}

.ctx-submit-stubs,
.ctx-submit-dirty {
  color: var(--jp-warn-color0);
}

/* nbgrader 과제 목록: 글자는 src/index.js가 한국어로 바꿉니다. 강좌 이름은 한 줄로. */
#nbgrader-assignment-list .item_course {
  white-space: nowrap;
}

/* 알림(토스트): 긴 한국어 문장도 화면 안에서 줄바꿈됩니다 (오른쪽 끝에서 잘리지 않게). */
.jp-toast-message,
.Toastify__toast-body {
  word-break: keep-all;
  overflow-wrap: anywhere;
  white-space: normal;
}

.Toastify__toast-container {
  max-width: calc(100vw - 16px);
  box-sizing: border-box;
}

/* 좁은 화면(휴대폰): 메뉴 이름이 한 글자씩 줄바꿈되지 않도록 한 줄로 두고, 메뉴 막대는 가로로 밉니다. */
@media (max-width: 760px) {
  #jp-MainMenu .lm-MenuBar-item {
    flex: 0 0 auto;
    padding: 0 6px;
    white-space: nowrap;
  }

  #jp-MainMenu .lm-MenuBar-content {
    overflow-x: auto;
    scrollbar-width: none;
  }
}

/* 과제 목록: 강좌 이름이 과제 이름에 붙어 보이지 않도록 띄우고, 좁은 화면에서는 (강좌가 하나뿐이므로) 숨깁니다. */
#nbgrader-assignment-list .item_course {
  padding-left: 0.75em;
}

@media (max-width: 760px) {
  #nbgrader-assignment-list .item_course {
    display: none;
  }
}

/* 좁은 화면: 과제 목록의 단추를 이름 바로 옆이 아니라 줄의 오른쪽 끝에 둡니다. */
@media (max-width: 760px) {
  #nbgrader-assignment-list .list_item > .col-md-12 {
    display: flex;
    align-items: center;
    gap: 8px;
  }

  #nbgrader-assignment-list .list_item > .col-md-12 > .item_name {
    flex: 1 1 auto;
    min-width: 0;
  }

  #nbgrader-assignment-list .list_item > .col-md-12 > .item_status {
    flex: 0 0 auto;
    margin-left: auto;
    width: auto;
  }
}
`,""]),a.d(t,{},{A:i})},314(e){e.exports=function(e){var t=[];return t.toString=function(){return this.map(function(t){var a="",r=void 0!==t[5];return t[4]&&(a+="@supports (".concat(t[4],") {")),t[2]&&(a+="@media ".concat(t[2]," {")),r&&(a+="@layer".concat(t[5].length>0?" ".concat(t[5]):""," {")),a+=e(t),r&&(a+="}"),t[2]&&(a+="}"),t[4]&&(a+="}"),a}).join("")},t.i=function(e,a,r,o,n){"string"==typeof e&&(e=[[null,e,void 0]]);var i={};if(r)for(var s=0;s<this.length;s++){var c=this[s][0];null!=c&&(i[c]=!0)}for(var l=0;l<e.length;l++){var d=[].concat(e[l]);r&&i[d[0]]||(void 0!==n&&(void 0===d[5]||(d[1]="@layer".concat(d[5].length>0?" ".concat(d[5]):""," {").concat(d[1],"}")),d[5]=n),a&&(d[2]&&(d[1]="@media ".concat(d[2]," {").concat(d[1],"}")),d[2]=a),o&&(d[4]?(d[1]="@supports (".concat(d[4],") {").concat(d[1],"}"),d[4]=o):d[4]="".concat(o)),t.push(d))}},t}},601(e){e.exports=function(e){return e[1]}},665(e,t,a){a.r(t);var r=a(72),o=a.n(r),n=a(825),i=a.n(n),s=a(659),c=a.n(s),l=a(56),d=a.n(l),p=a(540),u=a.n(p),m=a(113),v=a.n(m),f=a(646),x={};x.styleTagTransform=v(),x.setAttributes=d(),x.insert=c().bind(null,"head"),x.domAPI=i(),x.insertStyleElement=u(),o()(f.A,x);let h=f.A&&f.A.locals?f.A.locals:void 0;a.d(t,{},{default:h})},72(e){var t=[];function a(e){for(var a=-1,r=0;r<t.length;r++)if(t[r].identifier===e){a=r;break}return a}function r(e,r){for(var o={},n=[],i=0;i<e.length;i++){var s=e[i],c=r.base?s[0]+r.base:s[0],l=o[c]||0,d="".concat(c," ").concat(l);o[c]=l+1;var p=a(d),u={css:s[1],media:s[2],sourceMap:s[3],supports:s[4],layer:s[5]};if(-1!==p)t[p].references++,t[p].updater(u);else{var m=function(e,t){var a=t.domAPI(t);return a.update(e),function(t){t?(t.css!==e.css||t.media!==e.media||t.sourceMap!==e.sourceMap||t.supports!==e.supports||t.layer!==e.layer)&&a.update(e=t):a.remove()}}(u,r);r.byIndex=i,t.splice(i,0,{identifier:d,updater:m,references:1})}n.push(d)}return n}e.exports=function(e,o){var n=r(e=e||[],o=o||{});return function(e){e=e||[];for(var i=0;i<n.length;i++){var s=a(n[i]);t[s].references--}for(var c=r(e,o),l=0;l<n.length;l++){var d=a(n[l]);0===t[d].references&&(t[d].updater(),t.splice(d,1))}n=c}}},659(e){var t={};e.exports=function(e,a){var r=function(e){if(void 0===t[e]){var a=document.querySelector(e);if(window.HTMLIFrameElement&&a instanceof window.HTMLIFrameElement)try{a=a.contentDocument.head}catch(e){a=null}t[e]=a}return t[e]}(e);if(!r)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");r.appendChild(a)}},540(e){e.exports=function(e){var t=document.createElement("style");return e.setAttributes(t,e.attributes),e.insert(t,e.options),t}},56(e,t,a){e.exports=function(e){var t=a.nc;t&&e.setAttribute("nonce",t)}},825(e){e.exports=function(e){if("u"<typeof document)return{update:function(){},remove:function(){}};var t=e.insertStyleElement(e);return{update:function(a){var r,o,n;r="",a.supports&&(r+="@supports (".concat(a.supports,") {")),a.media&&(r+="@media ".concat(a.media," {")),(o=void 0!==a.layer)&&(r+="@layer".concat(a.layer.length>0?" ".concat(a.layer):""," {")),r+=a.css,o&&(r+="}"),a.media&&(r+="}"),a.supports&&(r+="}"),(n=a.sourceMap)&&"u">typeof btoa&&(r+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(n))))," */")),e.styleTagTransform(r,t,e.options)},remove:function(){var e;null===(e=t).parentNode||e.parentNode.removeChild(e)}}}},113(e){e.exports=function(e,t){if(t.styleSheet)t.styleSheet.cssText=e;else{for(;t.firstChild;)t.removeChild(t.firstChild);t.appendChild(document.createTextNode(e))}}}}]);