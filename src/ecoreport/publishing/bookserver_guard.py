"""Preloaded by the book server first: it ends when the build that launched it is gone
(see :func:`ecoreport.publishing.lifeline.guard_book_server`)."""

from ecoreport.publishing.lifeline import guard_book_server

guard_book_server()
