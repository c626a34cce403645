// Package projections builds read models from the event log only: section,
// basin and city water quality, the task board, the card register, annual
// assessments, the accountability register and the audit timeline. A read
// model never writes events and never reads anything but the log.
//
// It depends on events and domain.
package projections
