// Package assessment is the annual assessment of the 11 cities (水污染防治
// 行动计划实施情况考核): the rules as data adopted with the year they take
// effect (weights, grade thresholds, hard-fail rules: every threshold is
// configuration), the scoring of one city-year from its figures, grades,
// ranks, and the payloads of publication and its consequences.
//
// It is pure: no I/O; it depends only on domain.
package assessment
