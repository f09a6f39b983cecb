"""Demo data for `make run`: one authority, two teams, a user for every role, about thirty
children in several households (one restricted). Idempotent: running it again changes
nothing and creates no duplicates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from cpcases.accounts.demo import DEMO_PASSWORD, demo_password_hash
from cpcases.accounts.models import Authority, Service, Team, User
from cpcases.accounts.roles import Agency, Role
from cpcases.children.models import (
    Allocation,
    Child,
    ChildPerson,
    CpStage,
    Ethnicity,
    Household,
    PartnerInvolvement,
    Person,
    Relationship,
    RestrictedAccess,
    Sex,
)

# username, full name, role, team key ("a", "b" or None), agency
USERS: list[tuple[str, str, str, str | None, str]] = [
    ("sw.sam", "Sam Patel", Role.SOCIAL_WORKER, "a", Agency.CHILDRENS_SOCIAL_CARE),
    ("tm.tara", "Tara Jones", Role.TEAM_MANAGER, "a", Agency.CHILDRENS_SOCIAL_CARE),
    ("sw.bea", "Bea Okafor", Role.SOCIAL_WORKER, "b", Agency.CHILDRENS_SOCIAL_CARE),
    ("tm.ben", "Ben Carter", Role.TEAM_MANAGER, "b", Agency.CHILDRENS_SOCIAL_CARE),
    ("sm.sunita", "Sunita Rao", Role.SERVICE_MANAGER, None, Agency.CHILDRENS_SOCIAL_CARE),
    ("hos.harriet", "Harriet Wood", Role.HEAD_OF_SERVICE, None, Agency.CHILDRENS_SOCIAL_CARE),
    ("chair.chris", "Chris Adebayo", Role.CP_CHAIR, None, Agency.CHILDRENS_SOCIAL_CARE),
    ("bso.bola", "Bola Ahmed", Role.BUSINESS_SUPPORT, None, Agency.CHILDRENS_SOCIAL_CARE),
    ("police.pat", "DC Pat Morgan", Role.PARTNER, None, Agency.POLICE),
    ("admin.ada", "Ada Lovell", Role.ADMINISTRATOR, None, Agency.CHILDRENS_SOCIAL_CARE),
    ("pdo.priya", "Priya Shah", Role.PERFORMANCE_OFFICER, None, Agency.CHILDRENS_SOCIAL_CARE),
]

# Households: (key, name, address, postcode, team, [(first, last, dob or None, sex,
# stage, edd)], [(first, last, relationship, PR)])
HOUSEHOLDS: list[dict[str, Any]] = [
    {"name": "Smith, 12 Elm Road", "address": "12 Elm Road, Anytown", "postcode": "AN1 2EL",
     "team": "a", "children": [("Lily", "Smith", "2017-03-14", Sex.FEMALE, CpStage.SECTION_47),
                               ("Jack", "Smith", "2019-09-02", Sex.MALE, CpStage.SECTION_47)],
     "adults": [("Karen", "Smith", Relationship.MOTHER, True),
                ("Dean", "Smith", Relationship.FATHER, True)]},
    {"name": "Khan, 4 Mill Lane", "address": "4 Mill Lane, Anytown", "postcode": "AN2 4ML",
     "team": "a", "children": [("Aisha", "Khan", "2012-06-21", Sex.FEMALE, CpStage.PLAN),
                               ("Yusuf", "Khan", "2015-01-30", Sex.MALE, CpStage.PLAN),
                               ("Zara", "Khan", "2021-11-11", Sex.FEMALE, CpStage.PLAN)],
     "adults": [("Nadia", "Khan", Relationship.MOTHER, True)]},
    {"name": "Brown, 77 Station Street", "address": "77 Station Street, Anytown",
     "postcode": "AN3 7SS", "team": "a",
     "children": [("Mia", "Brown", "2016-08-08", Sex.FEMALE, CpStage.CONFERENCE),
                  (None, "Brown", None, Sex.UNKNOWN, CpStage.CONFERENCE)],
     "adults": [("Chloe", "Brown", Relationship.MOTHER, True),
                ("Ryan", "Taylor", Relationship.PARTNER_OF_PARENT, False)]},
    {"name": "Nowak, 3 Canal Walk", "address": "3 Canal Walk, Anytown", "postcode": "AN4 3CW",
     "team": "a", "children": [("Oliver", "Nowak", "2014-02-17", Sex.MALE, CpStage.STRATEGY),
                               ("Emilia", "Nowak", "2018-12-24", Sex.FEMALE,
                                CpStage.STRATEGY)],
     "adults": [("Anna", "Nowak", Relationship.MOTHER, True),
                ("Piotr", "Nowak", Relationship.FATHER, True)]},
    {"name": "Evans, 9 Hill View", "address": "9 Hill View, Anytown", "postcode": "AN5 9HV",
     "team": "a", "children": [("Noah", "Evans", "2013-04-04", Sex.MALE, CpStage.NONE),
                               ("Ella", "Evans", "2016-10-10", Sex.FEMALE, CpStage.NONE),
                               ("Leo", "Evans", "2020-05-05", Sex.MALE, CpStage.NONE)],
     "adults": [("Gemma", "Evans", Relationship.MOTHER, True)]},
    {"name": "Okoro, 21 Park Crescent", "address": "21 Park Crescent, Anytown",
     "postcode": "AN6 2PC", "team": "a",
     "children": [("Grace", "Okoro", "2011-07-19", Sex.FEMALE, CpStage.PLAN),
                  ("Daniel", "Okoro", "2013-09-09", Sex.MALE, CpStage.PLAN)],
     "adults": [("Blessing", "Okoro", Relationship.MOTHER, True),
                ("Samuel", "Okoro", Relationship.FATHER, True)]},
    {"name": "Williams, 5 Quay Street", "address": "5 Quay Street, Othertown",
     "postcode": "OT1 5QS", "team": "b",
     "children": [("Harry", "Williams", "2015-03-03", Sex.MALE, CpStage.SECTION_47),
                  ("Freya", "Williams", "2017-06-06", Sex.FEMALE, CpStage.SECTION_47),
                  ("Isla", "Williams", "2022-01-15", Sex.FEMALE, CpStage.SECTION_47)],
     "adults": [("Laura", "Williams", Relationship.MOTHER, True)]},
    {"name": "Hughes, 14 Bridge Road", "address": "14 Bridge Road, Othertown",
     "postcode": "OT2 1BR", "team": "b",
     "children": [("Charlie", "Hughes", "2012-12-12", Sex.MALE, CpStage.PLAN),
                  ("Poppy", "Hughes", "2016-02-29", Sex.FEMALE, CpStage.PLAN)],
     "adults": [("Sarah", "Hughes", Relationship.MOTHER, True),
                ("Mark", "Hughes", Relationship.STEP_PARENT, False)]},
    {"name": "Ali, 8 Orchard Close", "address": "8 Orchard Close, Othertown",
     "postcode": "OT3 8OC", "team": "b",
     "children": [("Adam", "Ali", "2010-10-01", Sex.MALE, CpStage.NONE),
                  ("Sofia", "Ali", "2014-05-20", Sex.FEMALE, CpStage.NONE),
                  ("Omar", "Ali", "2019-07-07", Sex.MALE, CpStage.NONE)],
     "adults": [("Fatima", "Ali", Relationship.MOTHER, True),
                ("Hassan", "Ali", Relationship.FATHER, True)]},
    {"name": "Murphy, 30 Kiln Lane", "address": "30 Kiln Lane, Othertown",
     "postcode": "OT4 3KL", "team": "b",
     "children": [("Ruby", "Murphy", "2013-01-25", Sex.FEMALE, CpStage.CONFERENCE),
                  ("Alfie", "Murphy", "2015-11-30", Sex.MALE, CpStage.CONFERENCE),
                  ("Evie", "Murphy", "2018-04-18", Sex.FEMALE, CpStage.CONFERENCE)],
     "adults": [("Siobhan", "Murphy", Relationship.MOTHER, True)]},
    {"name": "Green, 2 Ash Grove", "address": "2 Ash Grove, Anytown", "postcode": "AN7 2AG",
     "team": "a", "children": [("Theo", "Green", "2019-03-21", Sex.MALE, CpStage.NONE),
                               ("Ivy", "Green", "2021-08-30", Sex.FEMALE, CpStage.NONE)],
     "adults": [("Holly", "Green", Relationship.MOTHER, True)]},
]
RESTRICTED = ("Jordan", "Vale", "2011-05-05")  # a sealed record on team A
UNBORN_EDD = dt.date(2027, 2, 20)


class Command(BaseCommand):
    help = "Create (or leave as they are) the demo authority, users and children."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        authority, _ = Authority.objects.get_or_create(
            slug="anyshire", defaults={"name": "Anyshire County Council"})
        service, _ = Service.objects.get_or_create(
            authority=authority, name="Safeguarding and Family Support")
        teams = {
            "a": Team.objects.get_or_create(service=service, name="North Assessment Team")[0],
            "b": Team.objects.get_or_create(service=service, name="South Assessment Team")[0],
        }
        users = {username: self._user(authority, service, teams, username, name, role,
                                      team_key, agency)
                 for username, name, role, team_key, agency in USERS}
        workers = {"a": users["sw.sam"], "b": users["sw.bea"]}
        managers = {"a": users["tm.tara"]}
        number = 1000
        for household_data in HOUSEHOLDS:
            household, _ = Household.objects.get_or_create(
                authority=authority, name=household_data["name"],
                defaults={"address": household_data["address"],
                          "postcode": household_data["postcode"]})
            team = teams[household_data["team"]]
            children = []
            for first, last, dob, sex, stage in household_data["children"]:
                number += 1
                children.append(self._child(
                    authority, household, team, workers[household_data["team"]],
                    la_child_id=f"AC{number}", first_name=first or "", last_name=last,
                    date_of_birth=dt.date.fromisoformat(dob) if dob else None, sex=sex,
                    stage=stage, creator=managers.get(household_data["team"])))
            for first, last, relationship, pr in household_data["adults"]:
                person, _ = Person.objects.get_or_create(
                    authority=authority, first_name=first, last_name=last,
                    defaults={"address": household_data["address"],
                              "postcode": household_data["postcode"],
                              "phone": "07700 900" + str(100 + len(first) * 7 + len(last))[:3],
                              "email": f"{first.lower()}.{last.lower()}@example.com"})
                for child in children:
                    ChildPerson.objects.get_or_create(
                        child=child, person=person,
                        defaults={"relationship": relationship,
                                  "has_parental_responsibility": pr,
                                  "lives_with_child": True})
        # The police officer is part of the Nowak strategy discussion (the partner scope hook).
        for child in Child.objects.filter(authority=authority, last_name="Nowak"):
            PartnerInvolvement.objects.get_or_create(child=child, user=users["police.pat"],
                                                     kind="strategy", object_id=None)
        restricted = self._child(
            authority, None, teams["a"], workers["a"], la_child_id="AC0999",
            first_name=RESTRICTED[0], last_name=RESTRICTED[1],
            date_of_birth=dt.date.fromisoformat(RESTRICTED[2]), sex=Sex.MALE,
            stage=CpStage.PLAN, creator=managers["a"], restricted=True)
        RestrictedAccess.objects.get_or_create(child=restricted, user=users["tm.tara"])
        RestrictedAccess.objects.get_or_create(child=restricted, user=users["hos.harriet"])

        # Each workflow adds its own demo work, through its services, so every queue has some.
        from conferences.demo import seed_booking_demo
        from conferences.outcomes.demo import seed_outcomes_demo
        from cpcases.chronology.demo import seed_chronology_demo
        from cpcases.plans.demo import seed_plans_demo
        from frontdoor.demo import seed_frontdoor_demo
        from lifeevents.demo import seed_lifeevents_demo
        from strategy.concern_demo import seed_concern_demo
        from strategy.demo import seed_strategy_demo

        seed_strategy_demo(self.stdout)
        seed_booking_demo(self.stdout)
        seed_plans_demo(self.stdout)
        seed_outcomes_demo(self.stdout)
        seed_chronology_demo(self.stdout)  # after the plans: visits need a plan's clocks
        seed_concern_demo(self.stdout)  # concerns whose strategy discussion is still due
        seed_frontdoor_demo(self.stdout)
        seed_lifeevents_demo(self.stdout)
        __import__("returns.demo").demo.seed_returns_demo(self.stdout)  # 2025-26 histories
        # This year's plans, for the performance figures (returns.performance.demo).
        __import__("returns.performance.demo").performance.demo.seed_performance_demo(
            self.stdout)
        __import__("deadlines.demo").demo.seed_deadlines_demo(self.stdout)  # digests: last

        count = Child.objects.filter(authority=authority).count()
        self.stdout.write(f"Demo data ready: {authority}, {count} children.")
        self.stdout.write(f"Sign in with any of these (password {DEMO_PASSWORD}):")
        for username, name, role, _team, _agency in USERS:
            self.stdout.write(f"  {username:<12} {Role(role).label} ({name})")

    def _user(self, authority: Authority, service: Service, teams: dict[str, Team],
              username: str, name: str, role: str, team_key: str | None,
              agency: str) -> User:
        user = User.objects.filter(username=username).first()
        if user:
            return user
        user = User(username=username, full_name=name, role=role, authority=authority,
                    team=teams[team_key] if team_key else None, agency=agency,
                    email=f"{username}@anyshire.example", mobile="07700 900001",
                    is_staff=role == Role.ADMINISTRATOR,
                    service=service if role in (Role.SERVICE_MANAGER,
                                                Role.HEAD_OF_SERVICE) else None)
        user.password = demo_password_hash()  # one hash for every demo sign-in
        user.save()
        return user

    def _child(self, authority: Authority, household: Household | None, team: Team,
               worker: User, *, la_child_id: str, first_name: str, last_name: str,
               date_of_birth: dt.date | None, sex: str, stage: str, creator: User | None,
               restricted: bool = False) -> Child:
        child = Child.objects.filter(authority=authority, la_child_id=la_child_id).first()
        if child:
            return child
        unborn = date_of_birth is None
        child = Child.objects.create(
            authority=authority, la_child_id=la_child_id, first_name=first_name,
            last_name=last_name, is_unborn=unborn, date_of_birth=date_of_birth,
            expected_delivery_date=UNBORN_EDD if unborn else None, sex=sex,
            ethnicity=Ethnicity.WBRI if last_name in {"Smith", "Brown", "Evans", "Green",
                                                      "Hughes", "Williams"}
            else Ethnicity.NOBT,
            address=household.address if household else "Address withheld",
            postcode=household.postcode if household else "",
            household=household, cp_stage=stage, is_restricted=restricted,
            created_by=creator, updated_by=creator)
        Allocation.objects.create(child=child, team=team, social_worker=worker,
                                  started_on=dt.date(2026, 9, 1), reason="Demo allocation",
                                  created_by=creator)
        return child
