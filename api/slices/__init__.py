"""One module per record type (or concern), each with its GraphQL types and a `Query` class of
root fields. api.schema collects every module here; a new slice needs no registration."""
