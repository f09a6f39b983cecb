"""No tasks of its own: the missing-child escalation and every other clock of this app run
in the deadline engine's sweep (deadlines.tasks)."""
