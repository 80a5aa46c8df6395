"""Initiatives: residents' petitions to an akimat, signed by residents, answered by staff (API.md, Part 2).

A Piccolo app of the domain layer: it imports core, notify and infra, never another domain.
"""
