"""The plan category's words in the API (issue 15 §5): the stored values stay the codes the
CIN census publishes (`NEG`, `PHY`, `EMO`, `SAB`; returns and pages use them), the API speaks
lower-case words (cpcases.core.choices)."""

from __future__ import annotations

from cpcases.core.choices import Words
from cpcases.plans.models import PlanCategory

CATEGORY_WORDS = Words(PlanCategory, {
    PlanCategory.NEGLECT: "neglect",
    PlanCategory.PHYSICAL: "physical_abuse",
    PlanCategory.EMOTIONAL: "emotional_abuse",
    PlanCategory.SEXUAL: "sexual_abuse",
})
# The schema's PlanCategoryEnum (settings ENUM_NAME_OVERRIDES): the words, not the codes.
CATEGORY_CHOICES = CATEGORY_WORDS.choices
