package plan

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed shanxi-water-plan-2015.txt
var planText string

//go:embed tasks.json
var tasksJSON []byte

// Text returns the full text of the plan (UTF-8, as published, including the
// notice that issued it and the list of attachments).
func Text() string { return planText }

type catalogue struct {
	tasks []Task
	index map[TaskID]int
}

// load parses and validates the embedded catalogue once. Malformed data is a
// build error, not a run-time condition, so it panics.
var load = sync.OnceValue(func() catalogue {
	dec := json.NewDecoder(bytes.NewReader(tasksJSON))
	dec.DisallowUnknownFields()
	var tasks []Task
	if err := dec.Decode(&tasks); err != nil {
		panic(fmt.Sprintf("plan: embedded tasks.json: %v", err))
	}
	if dec.More() {
		panic("plan: embedded tasks.json: data after the array")
	}
	index := make(map[TaskID]int, len(tasks))
	for i, t := range tasks {
		if err := t.Validate(); err != nil {
			panic(fmt.Sprintf("plan: embedded tasks.json: entry %d (%s): %v", i, t.ID, err))
		}
		if j, dup := index[t.ID]; dup {
			panic(fmt.Sprintf("plan: embedded tasks.json: entries %d and %d share id %s", j, i, t.ID))
		}
		index[t.ID] = i
	}
	return catalogue{tasks: tasks, index: index}
})

// Tasks returns the catalogue in the plan's order. The slice and the tasks are
// the caller's own copies.
func Tasks() []Task {
	c := load()
	out := make([]Task, len(c.tasks))
	for i, t := range c.tasks {
		out[i] = t.clone()
	}
	return out
}

// Lookup returns the task with the given id.
func Lookup(id TaskID) (Task, bool) {
	c := load()
	i, ok := c.index[id]
	if !ok {
		return Task{}, false
	}
	return c.tasks[i].clone(), true
}
