"""Word lists the synthetic generator draws from: people, jobs, places, pets, pastimes, foods and the rest.

The first names are disjoint from the memory evaluation set's (resources/memory/eval), so a score there
never rewards a name seen in training; tests/core/memory/test_adapter_tasks.py checks it.
"""

from __future__ import annotations

# People: speakers of ingested conversations and the people users talk about.
NAMES = (
    "Priya", "Jonas", "Amara", "Lucas", "Mei", "Omar", "Elena", "Noah", "Fatima", "Liam", "Sofia", "Ravi",
    "Hannah", "Diego", "Chloe", "Nadia", "Felix", "Zara", "Leila", "Tobias", "Anika", "Samuel", "Rosa",
    "Hugo", "Maya", "Ethan", "Layla", "Oscar", "Camila", "Arjun", "Freya", "Nia", "Viktor", "Isla", "Rahul",
    "Elif", "Lena", "Sven", "Chiara", "Tariq", "Greta", "Pablo", "Aisha", "Bruno", "Daria", "Emil", "Farah",
    "Gabriel", "Hana", "Ivan", "Julia", "Karim", "Lucia", "Malik", "Nora", "Pedro", "Quinn", "Rania",
    "Sami", "Thea", "Vera", "Wen", "Xavier", "Yara", "Zane", "Beatriz", "Connor", "Dalia", "Esme", "Finn",
    "Gwen", "Hamid", "Imogen", "Jamal", "Keira", "Lorenzo", "Mira", "Nikhil", "Odette", "Rafael", "Selin",
    "Teodor", "Ulla", "Valentina", "Wes", "Xenia", "Yusuf", "Zoltan", "Adele", "Bjorn", "Carmen", "Dev",
)  # fmt: skip

PET_NAMES = (
    "Biscuit", "Paprika", "Rex", "Nugget", "Ziggy", "Kiwi", "Olive", "Pickles", "Waffles", "Shadow",
    "Pumpkin", "Clover", "Sprout", "Noodle", "Bandit", "Toffee", "Pixel", "Muffin", "Gizmo", "Pretzel",
    "Captain", "Scout", "Maple", "Bean", "Tofu", "Marble", "Cinnamon", "Dash", "Fudge", "Rocket",
)  # fmt: skip

# (with its article, bare) so memories read naturally: "works as a nurse", "an architect".
JOBS = (
    "a nurse", "a teacher", "an architect", "a software developer", "a chef", "an accountant", "a plumber",
    "a graphic designer", "a pharmacist", "a journalist", "a firefighter", "a dentist", "an electrician",
    "a lawyer", "a vet", "a data analyst", "a barista", "a librarian", "a physiotherapist", "a pilot",
    "a carpenter", "a photographer", "a social worker", "a mechanic", "a translator", "an engineer",
    "a baker", "a bus driver", "a marketing manager", "a paramedic", "a florist", "a lab technician",
    "a school counselor", "a web designer", "a dental hygienist", "a project manager", "a tailor",
    "a real estate agent", "a music teacher", "a nurse practitioner",
)  # fmt: skip

WORKPLACES = (
    "a children's hospital", "a primary school", "a small bakery", "a law firm", "a bank", "a startup",
    "the city library", "a shipping company", "a hotel", "a bike shop", "the local council", "a museum",
    "a pharmacy chain", "an airline", "a newspaper", "a dental clinic", "a garden centre", "a car factory",
    "a university", "a theatre", "a game studio", "a vet clinic", "a supermarket", "a recording studio",
)  # fmt: skip

CITIES = (
    "Lisbon", "Berlin", "Toronto", "Melbourne", "Nairobi", "Osaka", "Valencia", "Denver", "Glasgow",
    "Montreal", "Porto", "Vienna", "Seattle", "Cape Town", "Edinburgh", "Lyon", "Austin", "Dublin",
    "Hamburg", "Auckland", "Krakow", "Bologna", "Chicago", "Rotterdam", "Seville", "Vancouver", "Leeds",
    "Marseille", "Boston", "Perth", "Gothenburg", "Brighton", "Santiago", "Istanbul", "Hanoi", "Accra",
    "Bristol", "Phoenix", "Utrecht", "Tallinn",
)  # fmt: skip

COUNTRIES = (
    "Portugal", "Japan", "Iceland", "Peru", "Vietnam", "Greece", "Morocco", "Norway", "Mexico", "Kenya",
    "Scotland", "Italy", "Chile", "Thailand", "Canada", "Croatia", "Egypt", "New Zealand", "Spain", "India",
)  # fmt: skip

PET_KINDS = (
    "dog", "cat", "rabbit", "parrot", "hamster", "tortoise", "guinea pig", "golden retriever", "beagle",
    "tabby cat", "goldfish", "corgi", "ferret", "labrador", "budgie",
)  # fmt: skip

# (activity as a gerund phrase, a place or time that makes it more specific)
HOBBIES = (
    ("hiking", "in the mountains"), ("painting", "with watercolours"), ("rock climbing", "at an indoor gym"),
    ("playing chess", "online"), ("gardening", "on their balcony"), ("running", "before work"),
    ("knitting", "in the evenings"), ("playing the guitar", "in a local band"), ("baking bread", "on Sundays"),
    ("swimming", "at the lake"), ("birdwatching", "at the nature reserve"), ("yoga", "three times a week"),
    ("playing volleyball", "on a weekend team"), ("photography", "of street scenes"), ("cycling", "to work"),
    ("reading fantasy novels", "before bed"), ("playing the piano", "every evening"), ("surfing", "in summer"),
    ("pottery", "at a community studio"), ("fishing", "with their dad"), ("salsa dancing", "on Thursdays"),
    ("woodworking", "in their garage"), ("playing board games", "with friends"), ("skateboarding", "at the park"),
    ("singing", "in a choir"), ("sketching", "in cafes"), ("kayaking", "on the river"),
    ("learning Spanish", "with an app"), ("bouldering", "twice a week"), ("playing tennis", "at the club"),
)  # fmt: skip

FOODS = (
    "sushi", "spicy ramen", "dark chocolate", "pineapple pizza", "lasagna", "falafel", "mango",
    "blue cheese", "olives", "pho", "tacos", "mushrooms", "coriander", "cheesecake", "curry", "oysters",
    "avocado toast", "liquorice", "dumplings", "peanut butter", "Brussels sprouts", "pancakes", "kimchi",
    "strawberries", "paella", "black coffee", "green tea", "lemon tart", "eggplant", "goat cheese",
)  # fmt: skip

ALLERGENS = (
    "peanuts", "shellfish", "cats", "pollen", "penicillin", "dust", "gluten", "eggs", "tree nuts",
    "bee stings", "lactose", "sesame",
)  # fmt: skip

CONDITIONS = (
    "asthma", "type 1 diabetes", "migraines", "a bad knee", "back pain", "high blood pressure", "insomnia",
    "a broken wrist", "hay fever", "a sprained ankle", "eczema", "a sore shoulder",
)  # fmt: skip

DIETS = ("vegetarian", "vegan", "pescatarian", "gluten-free", "dairy-free")

RELATIVES = (
    "sister", "brother", "mother", "father", "daughter", "son", "cousin", "grandmother", "grandfather",
    "aunt", "uncle", "best friend", "roommate", "partner", "wife", "husband",
)  # fmt: skip

LANGUAGES = (
    "Spanish", "Japanese", "German", "Portuguese", "Mandarin", "Arabic", "French", "Italian", "Korean",
    "Dutch", "Swahili", "Turkish", "Polish", "Hindi", "Greek",
)  # fmt: skip

SUBJECTS = (
    "biology", "computer science", "history", "nursing", "architecture", "economics", "music",
    "mechanical engineering", "psychology", "graphic design", "law", "chemistry", "film", "marine biology",
)  # fmt: skip

CARS = (
    "a red Honda Civic", "an old Volvo estate", "a Tesla Model 3", "a blue Fiat 500", "a VW camper van",
    "a Toyota Prius", "a Ford pickup", "a Mini Cooper", "a Subaru Outback", "a motorbike",
)  # fmt: skip

TEAMS = (
    "Arsenal", "the Lakers", "Benfica", "the Blue Jays", "Celtic", "the All Blacks", "Ajax", "the Yankees",
    "Bayern Munich", "the Packers", "Juventus", "the Warriors",
)  # fmt: skip

INSTRUMENTS = (
    "the violin",
    "the drums",
    "the cello",
    "the ukulele",
    "the saxophone",
    "the flute",
    "the trumpet",
)

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip

# Dated events: (first-person past, memory predicate, question after "When did I", short noun for "Which")
EVENTS = (
    ("ran my first half marathon", "ran their first half marathon", "run my first half marathon"),
    ("got engaged", "got engaged", "get engaged"),
    ("started a new job", "started a new job", "start my new job"),
    ("adopted a kitten", "adopted a kitten", "adopt my kitten"),
    ("moved into a new flat", "moved into a new flat", "move into my new flat"),
    ("passed my driving test", "passed their driving test", "pass my driving test"),
    ("had knee surgery", "had knee surgery", "have knee surgery"),
    ("graduated from university", "graduated from university", "graduate from university"),
    ("went to a Coldplay concert", "went to a Coldplay concert", "go to the Coldplay concert"),
    ("planted a vegetable garden", "planted a vegetable garden", "plant my vegetable garden"),
    ("bought a new car", "bought a new car", "buy my new car"),
    ("started learning the piano", "started learning the piano", "start learning the piano"),
    ("got a promotion", "got a promotion", "get my promotion"),
    ("visited my grandparents", "visited their grandparents", "visit my grandparents"),
    ("finished writing my thesis", "finished writing their thesis", "finish my thesis"),
    ("hosted a dinner party", "hosted a dinner party", "host a dinner party"),
    ("broke my arm", "broke their arm", "break my arm"),
    ("joined a book club", "joined a book club", "join the book club"),
)  # fmt: skip
