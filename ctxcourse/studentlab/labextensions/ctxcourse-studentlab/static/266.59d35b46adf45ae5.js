"use strict";(self.rspackChunkctxcourse_studentlab=self.rspackChunkctxcourse_studentlab||[]).push([[266],{646(e,t,a){var n=a(601),r=a.n(n),o=a(314),i=(a.n(o))()(r());i.push([e.id,`/* 강좌 학생용 도우미의 스타일: 과제 확인 창, 제출 전 확인 창, 과제 목록의 한국어 빈 목록 문구. */

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

/* nbgrader 과제 목록의 빈 목록\xb7불러오는 중 문구를 한국어로 (원래 영어 글자는 숨깁니다). */
#nbgrader-assignment-list .list_placeholder > div,
#nbgrader-assignment-list .list_loading > div {
  font-size: 0;
}

#nbgrader-assignment-list .list_placeholder > div::after,
#nbgrader-assignment-list .list_loading > div::after {
  font-size: var(--jp-ui-font-size1);
}

#released_assignments_list_placeholder > div::after {
  content: '받을 과제가 없습니다. (make lab이 배포된 과제를 모두 받아 두었습니다.)';
}

#fetched_assignments_list_placeholder > div::after {
  content: '받은 과제가 없습니다.';
}

#submitted_assignments_list_placeholder > div::after {
  content: '아직 제출한 과제가 없습니다.';
}

#nbgrader-assignment-list .list_loading > div::after {
  content: '불러오는 중입니다…';
}

/* 과제 목록의 제목들도 한국어로 */
#assignments_list_info,
#nbgrader-assignment-list .panel-group > .panel > .panel-heading {
  font-size: 0;
}

#assignments_list_info::after,
#nbgrader-assignment-list .panel-group > .panel > .panel-heading::after {
  font-size: var(--jp-ui-font-size1);
}

#assignments_list_info::after {
  content: '강좌: ';
}

#nbgrader-assignment-list .panel-group > .panel:nth-child(1) > .panel-heading::after {
  content: '배포된 과제 (아직 받지 않음)';
}

#nbgrader-assignment-list .panel-group > .panel:nth-child(2) > .panel-heading::after {
  content: '받은 과제: 여기서 푼 노트북을 Submit으로 냅니다';
}

#nbgrader-assignment-list .panel-group > .panel:nth-child(3) > .panel-heading::after {
  content: '제출한 과제 (제출 시각)';
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
`,""]),a.d(t,{},{A:i})},314(e){e.exports=function(e){var t=[];return t.toString=function(){return this.map(function(t){var a="",n=void 0!==t[5];return t[4]&&(a+="@supports (".concat(t[4],") {")),t[2]&&(a+="@media ".concat(t[2]," {")),n&&(a+="@layer".concat(t[5].length>0?" ".concat(t[5]):""," {")),a+=e(t),n&&(a+="}"),t[2]&&(a+="}"),t[4]&&(a+="}"),a}).join("")},t.i=function(e,a,n,r,o){"string"==typeof e&&(e=[[null,e,void 0]]);var i={};if(n)for(var s=0;s<this.length;s++){var l=this[s][0];null!=l&&(i[l]=!0)}for(var c=0;c<e.length;c++){var d=[].concat(e[c]);n&&i[d[0]]||(void 0!==o&&(void 0===d[5]||(d[1]="@layer".concat(d[5].length>0?" ".concat(d[5]):""," {").concat(d[1],"}")),d[5]=o),a&&(d[2]&&(d[1]="@media ".concat(d[2]," {").concat(d[1],"}")),d[2]=a),r&&(d[4]?(d[1]="@supports (".concat(d[4],") {").concat(d[1],"}"),d[4]=r):d[4]="".concat(r)),t.push(d))}},t}},601(e){e.exports=function(e){return e[1]}},665(e,t,a){a.r(t);var n=a(72),r=a.n(n),o=a(825),i=a.n(o),s=a(659),l=a.n(s),c=a(56),d=a.n(c),p=a(540),u=a.n(p),v=a(113),f=a.n(v),m=a(646),g={};g.styleTagTransform=f(),g.setAttributes=d(),g.insert=l().bind(null,"head"),g.domAPI=i(),g.insertStyleElement=u(),r()(m.A,g);let h=m.A&&m.A.locals?m.A.locals:void 0;a.d(t,{},{default:h})},72(e){var t=[];function a(e){for(var a=-1,n=0;n<t.length;n++)if(t[n].identifier===e){a=n;break}return a}function n(e,n){for(var r={},o=[],i=0;i<e.length;i++){var s=e[i],l=n.base?s[0]+n.base:s[0],c=r[l]||0,d="".concat(l," ").concat(c);r[l]=c+1;var p=a(d),u={css:s[1],media:s[2],sourceMap:s[3],supports:s[4],layer:s[5]};if(-1!==p)t[p].references++,t[p].updater(u);else{var v=function(e,t){var a=t.domAPI(t);return a.update(e),function(t){t?(t.css!==e.css||t.media!==e.media||t.sourceMap!==e.sourceMap||t.supports!==e.supports||t.layer!==e.layer)&&a.update(e=t):a.remove()}}(u,n);n.byIndex=i,t.splice(i,0,{identifier:d,updater:v,references:1})}o.push(d)}return o}e.exports=function(e,r){var o=n(e=e||[],r=r||{});return function(e){e=e||[];for(var i=0;i<o.length;i++){var s=a(o[i]);t[s].references--}for(var l=n(e,r),c=0;c<o.length;c++){var d=a(o[c]);0===t[d].references&&(t[d].updater(),t.splice(d,1))}o=l}}},659(e){var t={};e.exports=function(e,a){var n=function(e){if(void 0===t[e]){var a=document.querySelector(e);if(window.HTMLIFrameElement&&a instanceof window.HTMLIFrameElement)try{a=a.contentDocument.head}catch(e){a=null}t[e]=a}return t[e]}(e);if(!n)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");n.appendChild(a)}},540(e){e.exports=function(e){var t=document.createElement("style");return e.setAttributes(t,e.attributes),e.insert(t,e.options),t}},56(e,t,a){e.exports=function(e){var t=a.nc;t&&e.setAttribute("nonce",t)}},825(e){e.exports=function(e){if("u"<typeof document)return{update:function(){},remove:function(){}};var t=e.insertStyleElement(e);return{update:function(a){var n,r,o;n="",a.supports&&(n+="@supports (".concat(a.supports,") {")),a.media&&(n+="@media ".concat(a.media," {")),(r=void 0!==a.layer)&&(n+="@layer".concat(a.layer.length>0?" ".concat(a.layer):""," {")),n+=a.css,r&&(n+="}"),a.media&&(n+="}"),a.supports&&(n+="}"),(o=a.sourceMap)&&"u">typeof btoa&&(n+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(o))))," */")),e.styleTagTransform(n,t,e.options)},remove:function(){var e;null===(e=t).parentNode||e.parentNode.removeChild(e)}}}},113(e){e.exports=function(e,t){if(t.styleSheet)t.styleSheet.cssText=e;else{for(;t.firstChild;)t.removeChild(t.firstChild);t.appendChild(document.createTextNode(e))}}}}]);