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
