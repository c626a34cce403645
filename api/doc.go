// Package api is the ledger's HTTP interface: a JSON API for every command
// and query (described by the OpenAPI document at /api/openapi.json),
// bearer-token access by role, the bilingual dashboard, exports, health,
// readiness and Prometheus metrics.
//
// Errors are JSON with field-level detail; their status codes come from one
// table (statusOf). Handlers only translate HTTP to calls of app, the
// projections and the store: no domain rule lives here.
package api
