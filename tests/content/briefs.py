"""Hand-written search briefs for PromptContent (issue 24, deliverable 4), judged by scene attributes.

Each brief is what a marketer would type — synonyms, business language, any word order — written from the
products and situations of a campaign, not from the generator's templates. Its judgement says which assets a
person would accept: ``must`` (every listed attribute must take one of the listed values) and ``nice``
(each satisfied attribute adds one grade; the graded gain feeds nDCG). A judgement names attribute *keys*
(the scene's source of truth), never description words.

Codes: p product, s setting, y style, c palette (colours), m mood, a audience, f format, t media type.
Split by a fixed rule (D137): brief number n (1-based) is held out when n % 4 == 0. Held-out briefs are
never used to tune search or descriptions; their figures are reported separately.
"""

from __future__ import annotations

from dataclasses import dataclass

CODES = {
    "p": "product",
    "s": "setting",
    "y": "style",
    "c": "palette",
    "m": "mood",
    "a": "audience",
    "f": "format",
    "t": "media_type",
}

# Groups a person would accept for a loosely worded need (judgement, not search vocabulary).
COFFEE = "coffee beans,espresso machine"
WARM_MOOD = "cozy,nostalgic,romantic"
WARM_COLOURS = "sunset orange,earth tones,autumn,crimson red"
COOL_COLOURS = "ocean blue,arctic white"
WINTER = "snowy village"
NATURE = "forest,mountain trail,lake,campsite,park"
URBAN = "city street,subway,rooftop,night market"
SEASIDE = "beach,harbour,highway,lake"
HOME = "living room,kitchen,bathroom"
WORK = "office,library,classroom"
NIGHT = "night market,concert,campsite,space,snowy village,city street"
FOOD_PLACES = "cafe,bakery,kitchen,farm,night market"
FUN = "joyful,playful"
ENERGY = "energetic,adventurous"
CALM = "calm,fresh"
TRUST = "trustworthy,calm"
PREMIUM = "luxurious"
EDGY = "rebellious,mysterious"
RETRO_LOOK = "retro,vintage poster"
DRAWN = "watercolor,hand drawn,flat illustration,pastel,collage"
BOLD_LOOK = "pop art,neon,brutalist,geometric"
PHOTO = "photorealistic,cinematic"
SPORTY = "athletes,outdoor enthusiasts"
YOUNG = "gen z students,young professionals"

RAW: list[tuple[str, str, str]] = [
    # (brief, must, nice)
    (
        "something warm for a winter coffee promo aimed at students",
        f"p:{COFFEE}",
        f"s:{WINTER},cafe,living room;m:{WARM_MOOD};a:gen z students;c:{WARM_COLOURS}",
    ),
    ("jogging trainers on the sand by the sea", "p:running shoes,sneakers", f"s:{SEASIDE}"),
    ("a premium timepiece ad for wealthy customers", "p:wristwatch,smartwatch", "a:luxury buyers;m:luxurious"),
    ("kids' pram for first-time mums and dads", "p:baby stroller", "a:new parents;m:trustworthy,calm,cozy"),
    ("fizzy drink can, summery and upbeat", "p:sparkling water", f"m:{FUN},fresh;s:beach,park,rooftop"),
    ("ale from a small brewery, cosy evening vibe", "p:craft beer", f"m:{WARM_MOOD};s:{NIGHT},living room,cafe"),
    ("night-time shot of an EV in the city", "p:electric car", f"s:{URBAN},highway"),
    ("e-bike commute through town", "p:electric bicycle", f"s:{URBAN},park"),
    (
        "notebook computer for remote workers",
        "p:laptop",
        f"s:{WORK},cafe,living room;a:young professionals,small business owners",
    ),
    ("headset for esports fans", "p:wireless headphones,gaming console", "a:gamers"),
    (
        "games machine with two pads for a family night",
        "p:gaming console",
        f"s:living room;a:gamers,new parents;m:{FUN},cozy",
    ),
    ("fragrance bottle, elegant and exclusive", "p:perfume", "m:luxurious,romantic,mysterious;a:luxury buyers"),
    (
        "matte red lip colour for a bold beauty drop",
        "p:lipstick",
        "c:crimson red,candy pink;m:rebellious,luxurious,romantic",
    ),
    ("face serum in a clean bathroom setting", "p:skincare serum", f"s:bathroom,studio;m:{CALM}"),
    ("rucksack for a hiking weekend in the hills", "p:backpack", f"s:{NATURE};a:outdoor enthusiasts,travellers"),
    ("camping shelter high in the mountains", "p:mountain tent", "s:mountain trail,campsite,forest,lake"),
    ("shades for a sunny road trip", "p:sunglasses", "s:highway,beach,desert"),
    ("plant-based patty for food lovers", "p:vegan burger", f"a:foodies,eco conscious shoppers;s:{FOOD_PLACES}"),
    ("quilted puffer coat in the snow", "p:winter jacket", f"s:{WINTER},mountain trail"),
    (
        "desk seat for a home office upgrade",
        "p:office chair",
        "s:office,living room,library;a:young professionals,small business owners",
    ),
    ("kibble for dog owners", "p:dog food", "a:pet owners"),
    ("hard-shell luggage at the departure gate", "p:travel suitcase", "s:airport;a:travellers"),
    ("snack bar for gym-goers after a workout", "p:protein bar", "s:gym,stadium;a:athletes"),
    ("camera drone over a coastline", "p:drone", f"s:{SEASIDE},mountain trail"),
    ("smoothie maker on a kitchen counter", "p:kitchen blender", "s:kitchen"),
    ("mobile money app for small shop owners", "p:banking app,smartphone", "a:small business owners;m:trustworthy"),
    ("wave-riding board at the shore", "p:surfboard", f"s:{SEASIDE}"),
    ("candle for a relaxing night in", "p:scented candle", f"m:{WARM_MOOD},calm;s:living room,bathroom"),
    ("racquet and ball on court under lights", "p:tennis racket", "s:stadium,park"),
    ("matcha tin for a mindful morning", "p:green tea", f"m:{CALM};s:kitchen,garden,cafe"),
    ("rock guitar on stage", "p:electric guitar", "s:concert,studio;m:rebellious,energetic"),
    ("voice assistant speaker in the lounge", "p:smart speaker", "s:living room,kitchen"),
    ("gelato cone on a hot day at the beach", "p:ice cream", "s:beach,park,city street;m:joyful,playful,fresh"),
    ("boutique hotel room for a romantic getaway", "p:hotel stay", "m:romantic,luxurious;a:travellers,luxury buyers"),
    ("family cover policy that feels dependable", "p:insurance plan", "m:trustworthy,calm;a:new parents,retirees"),
    ("yoga mat for a calm morning stretch", "p:yoga mat", f"m:{CALM};s:gym,park,living room,beach"),
    ("smartphone launch with a futuristic feel", "p:smartphone", "m:futuristic;a:tech early adopters"),
    ("fitness tracker watch for runners", "p:smartwatch", "a:athletes;s:park,gym,city street,stadium"),
    ("retro-look sneaker drop for teens", "p:sneakers", f"y:{RETRO_LOOK},pop art;a:gen z students"),
    ("freshly ground beans from the roastery, rustic feel", "p:coffee beans", f"c:earth tones,autumn;s:{FOOD_PLACES}"),
    # second round: setting- or audience-led briefs
    ("cold brew or espresso for young office workers", f"p:{COFFEE}", "a:young professionals;s:office,cafe"),
    ("running gear for competitive athletes", "p:running shoes,smartwatch", "a:athletes"),
    ("classic leather-strap watch, vintage look", "p:wristwatch", f"y:{RETRO_LOOK},photorealistic;m:nostalgic"),
    ("stroller walk in the park on a spring day", "p:baby stroller", "s:park,garden"),
    (
        "sparkling water for health-conscious buyers, clean and crisp",
        "p:sparkling water",
        "m:fresh,calm;a:eco conscious shoppers,athletes",
    ),
    ("beer at a summer music festival", "p:craft beer", "s:concert,stadium,beach,rooftop"),
    ("zero-emission car for eco-minded families", "p:electric car", "a:eco conscious shoppers,new parents"),
    ("pedal-assist bike on a country lane", "p:electric bicycle", f"s:farm,park,{NATURE},highway"),
    ("laptop in a lecture hall for undergrads", "p:laptop", "s:classroom,library;a:gen z students"),
    ("earbuds on the commuter train", "p:wireless headphones", "s:subway,city street"),
    ("console gaming with neon lights", "p:gaming console", "y:neon;c:electric neon"),
    ("perfume ad in soft pinks", "p:perfume", "c:candy pink;y:pastel,watercolor"),
    ("lipstick for a night out", "p:lipstick", f"s:{NIGHT};m:mysterious,romantic,rebellious"),
    ("serum for mature skin, reassuring tone", "p:skincare serum", "a:retirees;m:trustworthy,calm"),
    ("school bag for the first day of classes", "p:backpack", "s:classroom;a:gen z students"),
    ("tent under the stars by the fire", "p:mountain tent", "s:campsite,forest,lake"),
    ("sunglasses on a rooftop party", "p:sunglasses", "s:rooftop;m:joyful,playful"),
    ("veggie burger at a street food market", "p:vegan burger", "s:night market,city street"),
    ("warm coat for older people in winter", "p:winter jacket", f"a:retirees;s:{WINTER}"),
    ("ergonomic seat for startup founders", "p:office chair", "a:small business owners,young professionals"),
    ("healthy pet nutrition from the farm", "p:dog food", "s:farm,park,garden;a:pet owners"),
    ("suitcase ad for business travel", "p:travel suitcase", "a:travellers,young professionals;s:airport,city street"),
    ("energy bar for hikers on the trail", "p:protein bar", f"s:{NATURE};a:outdoor enthusiasts"),
    ("quadcopter footage in the desert", "p:drone", "s:desert"),
    ("blender for fresh fruit smoothies in the morning", "p:kitchen blender", "m:fresh,joyful;s:kitchen"),
    ("fintech app that feels safe for retirees", "p:banking app", "a:retirees;m:trustworthy"),
    ("surf trip poster with a seventies feel", "p:surfboard", f"y:{RETRO_LOOK};f:poster"),
    ("candle gift for a romantic evening", "p:scented candle", "m:romantic,cozy"),
    ("tennis promo for weekend players in the park", "p:tennis racket", "s:park;a:athletes,retirees"),
    ("green tea in a quiet garden", "p:green tea", "s:garden,forest,lake"),
    ("guitar lessons ad for teenagers", "p:electric guitar", "a:gen z students;m:rebellious,energetic,playful"),
    ("smart home speaker for gadget fans", "p:smart speaker", "a:tech early adopters;m:futuristic"),
    ("ice cream treat for kids and parents", "p:ice cream", "a:new parents;m:joyful,playful"),
    ("hotel stay near the ski slopes", "p:hotel stay", f"s:{WINTER},mountain trail"),
    ("insurance for small business owners", "p:insurance plan", "a:small business owners"),
    ("yoga mat for eco-friendly shoppers", "p:yoga mat", "a:eco conscious shoppers;c:forest green,earth tones"),
    ("phone in the subway at rush hour", "p:smartphone,banking app", "s:subway,city street"),
    ("smartwatch with a sci-fi look", "p:smartwatch", "m:futuristic;y:neon,isometric,geometric"),
    ("sneakers in a pop art comic style", "p:sneakers,running shoes", "y:pop art"),
    ("espresso in a Parisian bistro", "p:espresso machine,coffee beans", "s:cafe"),
    # third round: style-, colour- and format-led briefs
    ("watercolour illustration of a bicycle", "p:electric bicycle", "y:watercolor,hand drawn,pastel"),
    ("minimal black and white headphone ad", "p:wireless headphones", "c:monochrome;y:minimalist"),
    ("vertical story for a beer brand", "p:craft beer", "f:story"),
    ("wide web banner selling electric cars", "p:electric car", "f:banner"),
    (
        "LinkedIn post for a laptop aimed at professionals",
        "p:laptop",
        "f:linkedin card;a:young professionals,small business owners",
    ),
    ("email header for a perfume sale", "p:perfume", "f:email header"),
    ("gaming console in a retro arcade look", "p:gaming console", f"y:{RETRO_LOOK},pop art;m:nostalgic"),
    ("sunset-coloured beach ad for shades", "p:sunglasses", "c:sunset orange;s:beach"),
    ("purple and gold luxury watch poster", "p:wristwatch,smartwatch", "c:royal purple;m:luxurious"),
    ("burger ad in bold comic colours", "p:vegan burger", "y:pop art,flat illustration;c:lemon yellow,crimson red"),
    ("jacket ad in icy blue and white", "p:winter jacket", "c:arctic white,ocean blue"),
    ("chair product shot on a clean studio backdrop", "p:office chair", "s:studio;y:photorealistic,minimalist"),
    ("dog food ad with a playful cartoon look", "p:dog food", f"m:playful,joyful;y:{DRAWN},pop art"),
    ("suitcase in a moody film still", "p:travel suitcase", "y:cinematic;m:mysterious"),
    ("protein snack in neon gym colours", "p:protein bar", "c:electric neon;s:gym"),
    ("drone with a sleek sci-fi vibe", "p:drone", "m:futuristic;y:neon,isometric,geometric"),
    ("blender ad in candy pastel colours", "p:kitchen blender", "c:candy pink;y:pastel"),
    ("banking app in a clean flat style", "p:banking app", "y:flat illustration,minimalist,geometric"),
    ("surfboard in deep blue and teal", "p:surfboard", "c:ocean blue"),
    ("candle in autumn colours", "p:scented candle", "c:autumn,earth tones"),
    ("tennis racket, dramatic cinematic shot", "p:tennis racket", "y:cinematic,photorealistic"),
    ("pram ad drawn like a children's book", "p:baby stroller", f"y:{DRAWN}"),
    ("green tea in earthy natural tones", "p:green tea", "c:earth tones,forest green"),
    ("electric guitar with neon glow", "p:electric guitar", "y:neon;c:electric neon"),
    ("speaker on a geometric pattern", "p:smart speaker", "y:geometric,isometric"),
    ("ice cream in pastel pinks", "p:ice cream", "c:candy pink;y:pastel"),
    ("hotel room, old-fashioned travel poster", "p:hotel stay", f"y:{RETRO_LOOK}"),
    ("insurance brochure, calm blue tones", "p:insurance plan", "c:ocean blue,arctic white;m:calm,trustworthy"),
    ("yoga mat in a soft watercolour", "p:yoga mat", "y:watercolor,pastel"),
    ("phone in a brutalist, raw design", "p:smartphone", "y:brutalist"),
    (
        "running shoes in vivid energetic colours",
        "p:running shoes",
        f"m:{ENERGY};c:electric neon,lemon yellow,sunset orange,crimson red",
    ),
    ("coffee beans in a vintage poster", "p:coffee beans", f"y:{RETRO_LOOK}"),
    ("lipstick in a pop-art magazine look", "p:lipstick", "y:pop art"),
    ("serum on a clean white backdrop", "p:skincare serum", "c:arctic white;y:minimalist,photorealistic"),
    ("backpack with an adventurous spirit", "p:backpack", "m:adventurous"),
    ("tent in a collage scrapbook style", "p:mountain tent", "y:collage,hand drawn"),
    ("sparkling water in lemon and sky blue", "p:sparkling water", "c:lemon yellow"),
    (
        "e-scooter or e-bike, futuristic city",
        "p:electric bicycle,electric car",
        "m:futuristic;s:city street,rooftop,subway",
    ),
    ("console ad for a gamer audience, dark and mysterious", "p:gaming console", "a:gamers;m:mysterious"),
    ("fragrance for men, dark and mysterious", "p:perfume", "m:mysterious;c:monochrome,royal purple"),
    # fourth round: audio and video, and setting-led requests
    ("radio jingle for a coffee brand", f"t:audio;p:{COFFEE}", f"m:{FUN},{WARM_MOOD}"),
    ("short clip of sneakers for social media", "t:video;p:sneakers,running shoes", "f:story,square post"),
    ("audio ad in Spanish for a phone", "t:audio;p:smartphone,banking app", ""),
    (
        "podcast ad read for a tech gadget",
        "t:audio;p:laptop,smart speaker,drone,smartphone,smartwatch",
        "a:tech early adopters",
    ),
    ("video of a drone flight", "t:video;p:drone", ""),
    ("slow relaxing video for a candle or tea", "t:video;p:scented candle,green tea", f"m:{CALM},cozy"),
    ("voice-over spot for shades", "t:audio;p:sunglasses", ""),
    ("energetic sports clip", "t:video;p:running shoes,protein bar,smartwatch,tennis racket,yoga mat", f"m:{ENERGY}"),
    ("sound spot for an insurer", "t:audio;p:insurance plan", "m:trustworthy"),
    ("office furniture commercial video", "t:video;p:office chair", ""),
    ("audio ad for headphones", "t:audio;p:wireless headphones,smart speaker", ""),
    ("video for a beauty product", "t:video;p:lipstick,perfume,skincare serum", ""),
    ("anything shot in outer space", "s:space", ""),
    ("products on a snowy winter street", f"s:{WINTER}", ""),
    ("library or classroom back-to-school campaign", "s:library,classroom", "a:gen z students"),
    ("stuff by the campfire at night", "s:campsite", ""),
    ("harbour with fishing boats", "s:harbour", ""),
    ("airport travel scene", "s:airport", "a:travellers"),
    ("something on a farm at dawn", "s:farm", ""),
    ("concert crowd and stage lights", "s:concert", ""),
    ("product on a bakery shelf", "s:bakery", ""),
    ("subway train advertising", "s:subway", ""),
    ("desert dunes campaign", "s:desert", ""),
    ("stadium sports night", "s:stadium", "a:athletes"),
    ("gym workout campaign for athletes", "s:gym", "a:athletes"),
    ("rooftop terrace with the city skyline", "s:rooftop", ""),
    ("a beach holiday ad", "s:beach", "a:travellers"),
    ("forest hike in the mist", "s:forest", "a:outdoor enthusiasts"),
    ("home kitchen cooking campaign for foodies", "s:kitchen", "a:foodies"),
    ("cosy living room scene", "s:living room", "m:cozy"),
    ("bathroom counter product shot", "s:bathroom", ""),
    ("garden in bloom", "s:garden", ""),
    ("lakeside pier at sunrise", "s:lake", ""),
    ("night market with lanterns", "s:night market", ""),
    ("open road coastal drive", "s:highway", ""),
    ("pet owners campaign with dog food or a park walk", "a:pet owners", "p:dog food;s:park"),
    ("content for gamers", "a:gamers", "p:gaming console,wireless headphones"),
    ("ads for retired people", "a:retirees", ""),
    ("luxury shoppers, high-end goods", "a:luxury buyers", "m:luxurious"),
    ("something for travellers on the go", "a:travellers", "p:travel suitcase,backpack,hotel stay"),
    ("visuals for eco-conscious consumers", "a:eco conscious shoppers", "p:electric car,electric bicycle,vegan burger"),
    ("content for new parents", "a:new parents", "p:baby stroller,insurance plan"),
    (
        "creative for early adopters of technology",
        "a:tech early adopters",
        "p:smartphone,drone,smart speaker,smartwatch,laptop",
    ),
    ("foodie content with great food", "a:foodies", "p:vegan burger,ice cream,coffee beans,craft beer"),
    ("vivid pop art visuals", "y:pop art", ""),
    ("neon cyberpunk imagery", "y:neon", ""),
    ("watercolour paintings for a gentle campaign", "y:watercolor", "m:calm"),
    ("isometric 3D product renders", "y:isometric", ""),
    ("cinematic widescreen shots", "y:cinematic", ""),
    ("hand-sketched doodle ads", "y:hand drawn", ""),
]


@dataclass(frozen=True)
class Brief:
    """One brief and its judgement."""

    number: int
    text: str
    must: dict[str, frozenset[str]]
    nice: dict[str, frozenset[str]]

    @property
    def held_out(self) -> bool:
        """Held out by rule (D137): every fourth brief."""
        return self.number % 4 == 0


def _parse(spec: str) -> dict[str, frozenset[str]]:
    rules = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        code, values = part.split(":", 1)
        rules[CODES[code]] = frozenset(v.strip() for v in values.split(","))
    return rules


BRIEFS: list[Brief] = [Brief(n, text, _parse(must), _parse(nice)) for n, (text, must, nice) in enumerate(RAW, start=1)]
