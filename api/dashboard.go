package api

import "net/http"

// dashboard mounts the web dashboard.
func (s *Server) dashboard(mux *http.ServeMux) {}
