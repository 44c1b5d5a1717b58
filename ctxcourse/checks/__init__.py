"""과제별 진단 도구: 테스트 셀이 학생 함수의 결과를 검사하고 실수의 이름을 붙입니다.

과제마다 모듈이 하나 있습니다 (repeat, broadcasting, axis_sum, weight_sum, attention_weights).
공통 도구는 :mod:`ctxcourse.feedback`에 있습니다.
"""
