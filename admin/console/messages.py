"""Words the console shows that come from data, not from templates: statuses, roles, methods, reasons,
and the domain's field messages. Marked here so that Babel puts them in the catalogues."""

from infra.i18n import N_

STATUSES = (N_("draft"), N_("ideas"), N_("review"), N_("voting"), N_("closed"), N_("published"))
ROLES = (N_("admin"), N_("moderator"), N_("delivery"), N_("superuser"))
METHODS = (N_("approval"), N_("knapsack"), N_("points"))
REASONS = (N_("no_votes"), N_("below_threshold"), N_("after_stop"), N_("over_budget"),
           N_("supporters_cannot_pay"), N_("not funded"))
FIELD_MESSAGES = (
    N_("needs a kk or ru text"), N_("must be after voting_opens_at"), N_("is already in the past"),
    N_("must be positive"), N_("too weak"), N_("not an e-mail address"), N_("already taken"),
    N_("not a JPEG, PNG or WebP image"), N_("larger than 5 MB"), N_("no file chosen"), N_("must be at least 1"),
    N_("must not exceed vote.max_choices"), N_("must be a positive amount of tenge"),
    N_("must be between 14 and 120"), N_("must not exceed the round's budget"),
    N_("must be the round's region or a region inside it"), N_("applies only to the knapsack method"),
    N_("applies only to the points method"), N_("the points method needs a positive points_total"),
    N_("must not be negative"), N_("Enter a date."), N_("too short"), N_("too long"), N_("unknown review action"),
    N_("a public reason in Kazakh or Russian is needed"), N_("accepting needs the reviewed cost in tenge"),
    N_("name the idea to merge into"), N_("an idea cannot be merged into itself"),
    N_("must be an idea of the same round"), N_("must be reject or hide"), N_("use the keys kk, ru, en"),
    N_("must be at most 800 characters in each language"),
)
IDEA_STATUSES = (N_("submitted"), N_("accepted"), N_("rejected"), N_("hidden"), N_("merged"))
IDEA_CATEGORIES = {
    "roads": N_("Roads and pavements"), "yards": N_("Courtyards"), "parks": N_("Parks and greenery"),
    "playgrounds": N_("Playgrounds"), "sports": N_("Sports"), "lighting": N_("Street lighting"),
    "transport": N_("Public transport"), "accessibility": N_("Accessibility"), "education": N_("Education"),
    "culture": N_("Culture"), "health": N_("Health"), "environment": N_("Environment"), "safety": N_("Safety"),
    "other": N_("Other"),
}
IDEA_DECISIONS = {"accept": N_("Accept as a project"), "reject": N_("Reject"), "hide": N_("Hide"),
                  "merge": N_("Merge into another idea")}
BALLOT_STATUSES = (N_("counted"), N_("superseded"), N_("quarantined"), N_("invalidated"))
# What staff may do to a ballot under review, as its form offers it.
REVIEW_ACTIONS = {"quarantine": N_("Quarantine"), "invalidate": N_("Invalidate"), "release": N_("Release")}
ANOMALY_KINDS = {"surge": N_("Surge"), "device_cluster": N_("Many voters on one device"),
                 "address_cluster": N_("Many voters from one address"),
                 "recount_mismatch": N_("Recount differs from the result"),
                 "identity_device_cluster": N_("Many identities registered on one device"),
                 "identity_address_cluster": N_("Many identities registered from one address"),
                 "identity_release": N_("An IIN was released by staff")}
# budgets.rules.RULES by what they do, for people who do not know the literature's names.
RULE_NAMES = {
    "greedy": N_("Most votes first"),
    "greedy-no-skip": N_("Most votes first, stopping at the first that does not fit"),
    "greedy-threshold": N_("Most votes first, above a minimum score"),
    "mes": N_("Equal shares"),
    "mes-add1": N_("Equal shares, the budget used up"),
    "mes-add1-greedy": N_("Equal shares, then most votes for what is left"),
}
# Every action core.audit.record is called with, as the audit log names it.
AUDIT_ACTIONS = {
    "round.create": N_("Round created"), "round.update": N_("Round changed"), "round.open": N_("Voting opened"),
    "round.close": N_("Voting closed"), "round.tally": N_("Ballots counted"), "round.publish": N_("Results published"),
    "round.import": N_("Past round imported"), "round.recount_mismatch": N_("Recount differs from the result"),
    "project.create": N_("Project added"), "project.update": N_("Project changed"),
    "project.photo": N_("Project photo uploaded"),
    "ballot.quarantine": N_("Ballot quarantined"), "ballot.invalidate": N_("Ballot invalidated"),
    "ballot.release": N_("Ballot released"), "identity.release": N_("IIN released"),
    "idea.accept": N_("Idea accepted"), "idea.reject": N_("Idea rejected"), "idea.hide": N_("Idea hidden"),
    "idea.merge": N_("Idea merged"),
    "initiative.publish": N_("Initiative published"), "initiative.reject": N_("Initiative rejected"),
    "initiative.answer": N_("Initiative answered"), "initiative.hearing": N_("Hearing set"),
    "initiative.expire": N_("Initiative expired"), "initiative.ballot": N_("Initiative put on a ballot"),
    "initiative.settings": N_("Initiative settings changed"),
    "staff.create": N_("Staff account created"), "staff.update": N_("Staff account changed"),
    "staff.sign_out_everywhere": N_("Signed out everywhere"), "staff.two_factor": N_("Two-factor sign-in changed"),
    "access.denied": N_("Access refused"), "regions.import": N_("Regions imported"),
    "region.population": N_("Population set"), "resident.move": N_("Resident moved"),
}
# What an actor or a target is called when it is not looked up by name (admin.console.audit_entries.names_of).
AUDIT_KINDS = {
    "round": N_("Round %(number)s"), "project": N_("Project %(number)s"), "staff": N_("Staff account %(number)s"),
    "idea": N_("Idea %(number)s"), "initiative": N_("Initiative %(number)s"), "ballot": N_("Ballot %(number)s"),
    "resident": N_("Resident %(number)s"),
}
# The fields of the entries' before and after; a field not named here is shown by its key.
AUDIT_FIELDS = {
    "title": N_("Title"), "description": N_("Description"), "region": N_("Region"), "budget": N_("Budget"),
    "rule": N_("Rule"), "vote": N_("Ballot"), "method": N_("Vote method"), "min_choices": N_("At least, projects"),
    "max_choices": N_("At most, projects"), "max_cost": N_("Knapsack: at most, tenge"),
    "points_total": N_("Points: points to spread"), "voting_opens_at": N_("Voting opens"),
    "voting_closes_at": N_("Voting closes"), "ideas_opens_at": N_("Ideas phase opens"),
    "ideas_closes_at": N_("Ideas phase closes"), "auto_publish": N_("Publish results as soon as they are counted"),
    "min_project_score": N_("Minimum score for greedy-threshold"), "min_age": N_("Minimum age"), "cost": N_("Cost"),
    "status": N_("Status"), "email": N_("E-mail"), "role": N_("Role"), "language": N_("Language"),
    "enabled": N_("Two-factor"), "population": N_("Population"), "reason": N_("Reason"), "voters": N_("Voters"),
    "spent": N_("Spent"), "is_active": N_("Active"), "round": N_("Round"),
    "staff_region": N_("Staff member's region"),
}
# Why admin.staff.refuse turned a reach away (the reason of an access.denied entry).
AUDIT_REFUSALS = {"outside_region": N_("outside the member's region"), "role": N_("not allowed for the member's role")}
