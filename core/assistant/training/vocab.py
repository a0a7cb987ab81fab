"""Words the planner's training requests are made of: people, places, events, notes, errands, files, times.

Written for training only. Entities that appear in the evaluation sets (resources/eval/agent/) are not
here, and generate.py drops any that slip in (see held_out_values), so evaluation measures requests and
entities the adapter has never seen.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Aisha", "Alba", "Aleksandr", "Amara", "Anders", "Anika", "Arjun", "Astrid", "Ayla", "Bea", "Benji",
    "Bruno", "Camila", "Carmen", "Cleo", "Connor", "Dalia", "Dario", "Devi", "Diego", "Dimitri", "Elif",
    "Elena", "Eli", "Esme", "Ethan", "Farah", "Felix", "Fiona", "Gabriel", "Greta", "Hana", "Hugo", "Ines",
    "Ingrid", "Isaac", "Ivy", "Jack", "Jamal", "Jasper", "Javier", "Jonas", "Joy", "Kai", "Kamala", "Kenji",
    "Kofi", "Lara", "Leon", "Liam", "Lin", "Lola", "Luca", "Lucy", "Malik", "Maren", "Mateo", "Maya",
    "Milo", "Mira", "Nadia", "Nia", "Nico", "Nina", "Olga", "Oscar", "Owen", "Paolo", "Petra", "Pia",
    "Quinn", "Rafael", "Rana", "Rosa", "Ruben", "Sam", "Sana", "Santiago", "Selma", "Seo-yeon", "Sofia",
    "Stefan", "Tariq", "Tess", "Theo", "Tomas", "Uma", "Valentina", "Vera", "Viktor", "Wei", "Xavier",
    "Yara", "Yusuf", "Zara", "Zoe", "Ahmed", "Bianca", "Chen", "Dora", "Emil", "Freya", "Gus", "Hiro",
)  # fmt: skip
LAST_NAMES = (
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Rossi", "Schmidt", "Nguyen", "Kowalski", "Haddad",
    "Fernandez", "Brennan", "Petrov", "Silva", "Jansen", "Park", "Ibrahim", "Costa", "Novak", "Walsh",
    "Dubois", "Mensah", "Sato", "Larsen", "Ortiz", "Quinlan", "Varga", "Yilmaz", "Hughes", "Bauer",
)  # fmt: skip
FAMILY = ("my sister", "my brother", "Dad", "Grandpa", "my aunt", "my uncle", "my cousin", "my boss")
FAMILY_NAMES = ("Dad", "Grandpa", "Auntie May", "Uncle Joe", "Nana")

EMAIL_DOMAINS = ("example.net", "mailbox.org", "post.example", "company.io", "school.edu", "fastmail.fm")

EVENTS = (
    # (title, takes a person "with X")
    ("Dentist check-up", False), ("Team sync", False), ("Piano lesson", False), ("Parent-teacher meeting", False),
    ("Car service", False), ("Tennis practice", False), ("Physio session", False), ("Job interview", False),
    ("Vet appointment", False), ("Lunch", True), ("Coffee", True), ("Dinner", True), ("Catch-up", True),
    ("One-on-one", True), ("Interview", True), ("Brunch", True), ("Drinks", True), ("Study session", True),
    ("Quarterly planning", False), ("Swimming lesson", False), ("Eye test", False), ("Board meeting", False),
    ("Choir rehearsal", False), ("Cooking class", False), ("Flight to Madrid", False), ("Pottery workshop", False),
    ("Guitar lesson", False), ("Sprint demo", False), ("Design review", True), ("Walk", True), ("Call", True),
    ("Haircut appointment", False), ("Blood test", False), ("Football match", False), ("Book launch", False),
    ("Wedding rehearsal", False), ("Salsa class", False), ("Volunteer shift", False), ("Tax appointment", False),
)  # fmt: skip
EVENT_PLACES = (
    "Café Lumen", "the town hall", "Room 4B", "the library", "Green Park", "Dr Okafor's clinic",
    "the community centre", "Hotel Mirador", "the gym", "Pier 7", "the school hall", "Studio 12",
    "Bistro Verde", "the main office", "Riverside Pavilion", "the stadium", "Café Aurora", "the garage",
    "Harbour Room", "the conference centre", "Meeting room 2",
)  # fmt: skip

NOTE_TITLES = (
    "Packing list", "Book ideas", "Garden plan", "Weekly goals", "Wedding ideas", "Passwords hint",
    "Birthday gifts", "Workout plan", "Reading list", "Podcast notes", "House repairs", "Budget 2026",
    "Christmas list", "Holiday plans", "Project Atlas", "Interview prep", "Baby names", "Meal plan",
    "Questions for the doctor", "Band names", "Japanese words", "Date night ideas", "Camping gear",
    "Moving checklist", "Quotes", "Dream journal", "Bucket list", "Car maintenance", "Recipes to try",
    "Things to fix", "Party playlist", "Thesis outline", "Blog drafts", "Plant care", "Wine list",
)  # fmt: skip
NOTE_LISTS = (
    # (a note that items are added to, the items)
    ("shopping list", ("oat milk", "bananas", "rice", "coffee beans", "olive oil", "tomatoes", "butter")),
    ("to-do list", ("renew passport", "fix the bike", "book a plumber", "clean the fridge", "call the vet")),
    ("packing list", ("sunscreen", "phone charger", "swimsuit", "adapter plug", "hiking socks")),
    ("reading list", ("Dune", "Middlemarch", "The Overstory", "Piranesi", "Beloved")),
    ("gift ideas", ("a scarf", "a board game", "concert tickets", "a plant", "a cookbook")),
    ("wishlist", ("a new kettle", "noise cancelling headphones", "a tent", "a record player")),
    ("work log", ("sent the draft to legal", "fixed the login bug", "reviewed the Q3 numbers")),
    ("journal", ("felt great after the run", "finished the puzzle", "tried a new recipe")),
    ("chores", ("vacuum the stairs", "water the ferns", "descale the kettle", "sort the recycling")),
    ("movie list", ("Arrival", "Paddington 2", "Spirited Away", "The Thing", "Amélie")),
)  # fmt: skip
NOTE_CONTENTS = (
    "pick up the dry cleaning on Thursday", "the wifi password is on the router", "ask about the refund",
    "passport, tickets, charger", "tomatoes need more sun", "Ana likes dark chocolate",
    "try the new ramen place", "meeting moved to room 3", "back up the laptop", "the code is 4417",
    "lentils, onions, cumin", "sell the old bike", "email the landlord about the heating",
    "Tuesday is bin day", "call the insurance company", "Leo's shoe size is 34", "buy stamps",
    "the plumber comes at 8", "renew the gym membership", "brainstorm names for the shop",
)  # fmt: skip

ERRANDS = (
    # reminder texts: what to do
    "water the tomatoes", "pay the electricity bill", "book the car service", "send the invoice",
    "pick up the kids", "call the dentist", "renew my passport", "feed the cat", "take the bins out",
    "buy a birthday card", "return the library books", "submit the timesheet", "charge the camera",
    "defrost the chicken", "move the car", "check the mail", "cancel the free trial", "back up my phone",
    "order more printer ink", "pick up the parcel", "stretch my legs", "drink some water", "lock the shed",
    "call Grandpa", "bring the umbrella", "send the rent", "book a table", "walk the dog",
    "collect the prescription", "phone the school", "start the dishwasher", "print the boarding passes",
    "write the report", "practise the speech", "take the cake out of the oven", "check the tyres",
)  # fmt: skip
TIMER_LABELS = (
    "tea", "the rice", "the cookies", "a nap", "homework", "meditation", "the roast", "the bread",
    "stretching", "reading", "the washing machine", "a break", "the pizza", "piano practice", "boiling eggs",
    "the steak", "the kids' screen time", "the parking meter", "plank", "the sauce",
)  # fmt: skip

FILE_TOPICS = (
    # (words in the file name, generic kind the request may add: "files", "photos", "scan"...)
    ("tax return", "files"), ("bank statement", "files"), ("rental contract", "document"),
    ("insurance policy", "document"), ("birth certificate", "scan"), ("driving licence", "scan"),
    ("holiday", "photos"), ("graduation", "photos"), ("birthday party", "photos"), ("cv", "file"),
    ("cover letter", "document"), ("meeting minutes", "files"), ("payslip", "files"),
    ("thesis draft", "file"), ("recipe", "files"), ("electricity bill", "files"), ("warranty", "files"),
    ("presentation", "file"), ("timesheet", "files"), ("itinerary", "file"), ("receipts", "files"),
    ("house plans", "files"), ("vaccination record", "scan"), ("school report", "files"),
    ("concert", "videos"), ("garden", "pictures"), ("spreadsheet budget", "file"), ("speech", "notes"),
)  # fmt: skip
FILE_NAMES = (
    "notes.md", "plan.txt", "ideas.txt", "draft.md", "minutes.txt", "readme.md", "journal.txt",
    "recipes.md", "todo.md", "agenda.txt", "summary.txt", "log.txt", "chapter1.md", "lyrics.txt",
)  # fmt: skip
OTHER_FILES = ("cv.pdf", "photo.jpg", "taxes-2025.pdf", "slides.pptx", "invoice-118.pdf", "map.png")
FOLDERS = (
    "~/Documents", "~/Desktop", "~/Downloads", "~/Pictures", "~/Work", "/home/alex/docs",
    "~/Documents/work", "~/notes", "/srv/share", "~/Music", "~/Projects/atlas", "/tmp",
)  # fmt: skip
VCF_FILES = (
    "~/Downloads/family.vcf", "~/colleagues.vcf", "/home/alex/contacts-export.vcf", "~/Desktop/club.vcf",
    "~/Documents/clients.vcf", "/media/usb/phone-backup.vcf", "~/Downloads/school-parents.vcf",
)  # fmt: skip

PLACES = (
    "Barcelona", "the Colosseum", "Kyoto", "the train station", "Trafalgar Square", "the city library",
    "Mount Fuji", "Table Mountain", "the Brandenburg Gate", "the nearest pharmacy", "the zoo",
    "Golden Gate Park", "Prague Castle", "the beach", "the farmers market", "Marina Bay", "Oslo",
    "the botanical garden", "the hospital", "Union Square", "the ferry terminal", "Vienna",
    "the science museum", "the cinema", "Copenhagen", "the old town", "the bus station", "Munich",
    "Sagrada Familia", "the stadium", "the lake", "Buckingham Palace", "Dublin", "Edinburgh Castle",
)  # fmt: skip
ORIGINS = (
    "the hotel", "work", "my place", "the university", "the station", "the airport", "school", "downtown",
    "Glasgow", "Seville", "Cambridge", "the harbour", "the mall",
)  # fmt: skip
WEB_QUERIES = (
    "vegan lasagna recipe", "how to repot an orchid", "train times to Leeds", "best budget laptops",
    "symptoms of hay fever", "opening hours of the Prado", "how to tie a bowline knot", "used bikes for sale",
    "reviews of the Kindle Paperwhite", "history of the Silk Road", "how to descale a kettle",
    "cheap hotels in Porto", "sourdough hydration", "electric car grants", "best hikes near Zurich",
    "how to remove red wine stains", "tickets for the Van Gogh museum", "local election results",
    "how long to boil an egg", "beginner yoga videos", "public holidays 2026", "how to fix a dripping tap",
)  # fmt: skip

PLAIN_QUESTIONS = (
    "What is the tallest mountain in Africa?", "Who painted the Mona Lisa?", "How far is the Moon from Earth?",
    "What is photosynthesis?", "Explain how a rainbow forms", "What's the difference between a virus and a bacterium?",
    "How many bones are in the human body?", "Who discovered penicillin?", "What does DNA stand for?",
    "Can you explain inflation simply?", "What language is spoken in Brazil?", "Tell me a fun fact about whales",
    "Write a haiku about autumn", "Give me a name for a pet turtle", "What rhymes with orange?",
    "How do I say good night in Italian?", "What's the square root of 144?",
    "Is a tomato a fruit?", "Why do cats purr?", "How does a fridge keep things cold?", "What is a leap year?",
    "Summarise the plot of Hamlet in two lines", "Suggest a good board game for four people",
    "What should I cook with leftover rice?", "Tell me a riddle", "Good morning!", "Hi there",
    "How's it going?", "You're very helpful", "Thank you so much", "Goodbye", "What can you do?",
    "Are you a robot?", "What's your name?", "I'm bored", "I feel a bit tired today", "Tell me a story about a dragon",
    "What is the speed of light?", "Which planet is the largest?", "Who was Ada Lovelace?",
    "What are the primary colours?", "How do vaccines work?", "Explain recursion to a child",
    "What is the population of Canada?", "What year did the first moon landing happen?",
    "What's a good stretch for lower back pain?", "How much water should I drink a day?",
    "Give me a motivational quote", "What's the plural of cactus?", "Define the word serendipity",
    "What is the freezing point of water in Fahrenheit?", "How many continents are there?",
    "Write two lines about coffee", "What is the meaning of life?", "Recommend a classic novel",
    "What's the opposite of generous?", "How do bees make honey?", "Why is the ocean salty?",
    "What is machine learning?", "Can you tell me a joke about computers?", "What's 7 times 9?",
    "How do I make a paper plane?", "What are the symptoms of a cold?",
    "Explain what a mortgage is", "What's the best way to learn a language?", "Is it healthy to skip breakfast?",
    "Who invented the telephone?",
    "How many players are on a football team?", "What causes thunder?", "Describe a sunset in one sentence",
    "Give me three words that start with Q", "What does a calendar year mean?", "How do reminders help memory?",
    "What is a good note-taking method?", "Why do people use maps?", "How did email get its name?",
    "What is a timer used for in cooking?", "How do contacts apps store names?", "What is a file system?",
)  # fmt: skip
# Things no built-in tool can do: with only the built-in tools offered, the plan is a plain answer.
NO_TOOL_ACTIONS = (
    "Turn off the bedroom lights", "Play some relaxing jazz", "Order me a large pepperoni pizza",
    "Book a flight to Madrid next week", "Call a taxi to the airport", "Transfer 50 euros to Lina",
    "Set the thermostat to 21 degrees", "Lock the front door", "Post this on Instagram",
    "Text Ivo that I'm running late", "Buy a new phone charger on Amazon", "Start the vacuum cleaner",
    "Pay my credit card bill", "Turn up the volume", "Translate this page into German",
    "Check my bank balance", "Record a voice memo", "Take a screenshot", "Restart my computer",
)  # fmt: skip

WORD_NUMBERS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
    10: "ten", 12: "twelve", 15: "fifteen", 20: "twenty", 30: "thirty", 40: "forty", 45: "forty-five",
    60: "sixty", 90: "ninety",
}  # fmt: skip
