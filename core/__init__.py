"""The shared core every domain may use: regions, residents and their residency, eligibility, the audit chain
and the database's clock."""
