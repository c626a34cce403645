// Package monitoring is the water-quality side of the domain: the registers
// of monitoring sections, drinking-water sources, groundwater points,
// black-odorous water bodies and control units, the samples taken at
// sections (values, not-monitored states, corrections, invalidations) and
// the rules of a station's bulk CSV upload.
//
// Its types are the payloads of events; it performs no I/O beyond reading a
// CSV stream it is handed, and depends only on domain and domain/water.
package monitoring
