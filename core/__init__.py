"""Shared kernel: error types, HTTP parsing/rendering, the operation registry behind OpenAPI, and the
authenticated principal. Every other package may import it; it imports none of them."""
