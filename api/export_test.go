package api

// AuditShown lets tests page the audit timeline with a few events.
var AuditShown = &auditShown
