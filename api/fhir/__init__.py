"""Read-only FHIR R4 endpoints under /fhir, for the FHIR ecosystem's clients."""
