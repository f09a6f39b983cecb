"""Nothing of this app is in Django's admin, on purpose.

Administrators manage the policy, not cases (cpcases.children.scoping: they see no child), and
the admin has no record-level scoping or access log: strategy discussions, enquiries,
threshold decisions and consultations are read only through the scoped pages and API, and
written only through strategy.services. The Child record itself is not in the admin either.
"""
