// Package plan is the task catalogue of Shanxi's 2015 water-pollution control
// plan (山西省水污染防治工作方案, 晋政发〔2015〕59号) as data: every task of
// the plan that carries a dated deadline (…年底前, …月底前, 到…年), a start
// date (自…年起) or a quantitative target (…达到95%以上), with its place in
// the plan, its own words, its lead (牵头) and participating (参与)
// departments, the governments responsible for it, and the assessment
// category it is scored under.
//
// The plan's full text is embedded (Text) so that every task can be quoted and
// checked against it: a task's Text is a verbatim substring of the plan, and
// the tests re-derive deadlines, departments and coverage from the plan text
// itself.
//
// # Task ids
//
// A task id is "T-" followed by four numbers and an optional letter:
//
//	T-<chapter>-<section>-<paragraph>-<block>[<letter>]
//
// chapter is the plan's 一、二、三、四 (2 主要任务, 3 保障措施, 4 组织实施),
// section its (一)(二)…, paragraph its numbered item 1. 2. …, and block the
// ordinal of the physical paragraph (text block) under that numbered item,
// counting from 1 and including continuation blocks that have no lead-in
// heading of their own. When one block holds several tasks they are lettered
// a, b, c… in the order the plan states them; a block with a single task has
// no letter. T-2-1-2-1g is thus the seventh task of the first block of
// 二、(一)2.强化城镇生活污染治理. Ids only depend on the plan's text, which
// does not change, so they are stable.
//
// Chapter 一 (总体要求) holds the plan's water-quality goals (主要指标 and the
// yearly section shares of 表1 and 表2); they name no department and are
// assessed as water quality, not as tasks, so they are not in the catalogue.
//
// The package depends only on the standard library and domain.
package plan
