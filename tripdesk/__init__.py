"""The composition root: the HTTP application, the command line, the database configuration, observability
and the wiring of the packages' hooks. Nothing in support, billing, invoices or notifications imports it."""
