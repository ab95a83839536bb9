// Word lists the demo CRM seeder draws names and labels from. Private to
// src/crm. Constants only. Every entry is plain ASCII letters and spaces so
// that e-mail addresses can be derived from names.
#ifndef KEEL_CRM_INTERNAL_SEED_WORDS_H_
#define KEEL_CRM_INTERNAL_SEED_WORDS_H_

namespace keel::crm_internal {

inline constexpr const char* kNamePrefixes[] = {
    "Alder",     "Apex",    "Arbor",      "Atlas",     "Aurora",    "Beacon",   "Birch",
    "Bluestone", "Boreal",  "Brightline", "Cascade",   "Cedar",     "Cobalt",   "Copper",
    "Crescent",  "Delta",   "Ember",      "Evergreen", "Falcon",    "Fjord",    "Granite",
    "Harbor",    "Helix",   "Horizon",    "Ironwood",  "Juniper",   "Keystone", "Lumen",
    "Meridian",  "Nimbus",  "Northwind",  "Oakridge",  "Orbit",     "Pinnacle", "Quarry",
    "Redwood",   "Sequoia", "Silverline", "Summit",    "Tidewater", "Vertex",   "Willow",
};

// An industry and the nouns a company in it is plausibly named with.
struct Industry {
  const char* name;
  const char* nouns[3];
};

inline constexpr Industry kIndustries[] = {
    {"Logistics", {"Logistics", "Freight", "Shipping"}},
    {"Healthcare", {"Health", "Care", "Medical"}},
    {"Software", {"Software", "Labs", "Systems"}},
    {"Manufacturing", {"Manufacturing", "Industries", "Works"}},
    {"Financial Services", {"Capital", "Financial", "Partners"}},
    {"Retail", {"Retail", "Goods", "Market"}},
    {"Energy", {"Energy", "Power", "Renewables"}},
    {"Education", {"Learning", "Academy", "Education"}},
    {"Media", {"Media", "Studios", "Publishing"}},
    {"Security", {"Security", "Defense", "Shield"}},
};

inline constexpr const char* kLegalSuffixes[] = {"", " Inc", " LLC", " Group", " Corp"};

inline constexpr const char* kFirstNames[] = {
    "Ava",  "Ben",   "Carla", "Dev",    "Elif",  "Farah", "Gabe",  "Hana",   "Ivan", "Jade",
    "Kofi", "Lena",  "Mateo", "Nina",   "Omar",  "Paula", "Quinn", "Rosa",   "Sven", "Tara",
    "Umar", "Vera",  "Wes",   "Ximena", "Yusuf", "Zoe",   "Amir",  "Bianca", "Chen", "Dana",
    "Emil", "Freya", "Goran", "Helen",  "Ines",  "Jonas", "Kira",  "Liam",   "Mira", "Noah",
};

inline constexpr const char* kLastNames[] = {
    "Abbott",  "Bauer",  "Castro",   "Dubois",    "Evans",  "Fischer",  "Garcia",  "Hughes",
    "Ibrahim", "Jensen", "Kowalski", "Larsen",    "Moreau", "Nakamura", "Osei",    "Patel",
    "Quist",   "Reyes",  "Schmidt",  "Tanaka",    "Umeh",   "Varga",    "Walsh",   "Xu",
    "Yilmaz",  "Zhang",  "Andersen", "Brooks",    "Costa",  "Diaz",     "Eriksen", "Foster",
    "Gupta",   "Hansen", "Ito",      "Jovanovic", "Kim",    "Lopez",    "Meyer",   "Novak",
};

inline constexpr const char* kAccountManagers[] = {
    "Maya Chen",     "Jordan Ellis",  "Priya Raman",   "Luis Ortega",
    "Hannah Becker", "Samuel Okafor", "Elena Petrova", "Marcus Webb",
    "Aiko Tanaka",   "Daniel Novak",  "Grace Mbeki",   "Tom Lindqvist",
};

inline constexpr const char* kEconomicBuyerTitles[] = {
    "Chief Financial Officer",  "VP Finance",    "Chief Operating Officer",
    "Chief Technology Officer", "VP Operations",
};
inline constexpr const char* kChampionTitles[] = {
    "Director of Operations", "Head of Revenue Operations", "Engineering Manager",
    "Director of Analytics",  "Head of Customer Success",
};
inline constexpr const char* kUserTitles[] = {
    "Operations Analyst", "Data Engineer",   "Sales Operations Specialist",
    "Support Lead",       "Product Analyst", "Finance Analyst",
};

inline constexpr const char* kOpenDealStages[] = {"prospecting", "discovery", "proposal",
                                                  "negotiation"};

inline constexpr const char* kDiscountReasons[] = {
    "multi-year commitment", "competitive pressure", "seat expansion bundle",
    "late renewal save",     "budget freeze",        "pilot conversion",
};

inline constexpr double kPriceCapsPct[] = {3, 5, 7, 10};
inline constexpr int kNoticeDays[] = {30, 60, 90};

}  // namespace keel::crm_internal

#endif  // KEEL_CRM_INTERNAL_SEED_WORDS_H_
