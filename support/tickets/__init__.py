"""Tickets: intake and its storage, the list and search, the workflow of statuses, and the routes."""
