"""Residents propose projects in a round's ideas phase; staff review them, and accepted ones go on the ballot."""
