#!/usr/bin/env python3
"""Builds eval-data/xling-ar: cross-lingual post -> claim retrieval.

Each post below was written here, by this project, restating one real Arabic
fact-check of ../shared/data/arabic-claimreview (the fact-checkers' published
ClaimReview metadata) in four forms: Moroccan Darija in Arabic script
(`darija`), Darija in Latin letters and digits (`arabizi`), French (`fr`) and
English (`en`). The `none_*` posts were written here too: same topics, other
truth conditions; they repeat no claim of the pool and have no qrels line.

The claim pool: every Arabic record (review URL and publisher kept) whose
text is not a near copy of one of the restated claims (a near copy would be
a right answer the qrels do not name), in claims.jsonl, plus every 10th
English claim of CheckThat! 2022 2A (../shared/data/clef2022-task2a-en/
claims.jsonl, 1,424 claims) as distractors: `claims.sources` names each
file and the step through it, and scripts/eval joins them at run time (they
are not ours to copy here).
Claim ids follow scripts/make-arabic-headline-task.py: "arc-" + the first 12
hex digits of the SHA-256 of the review URL.

Query ids say the form (`x07-arabizi`); `lang` is the post's language as a
caller would tag it (`ar` for Darija in either script).
"""
import hashlib
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
SHARED = os.path.join(ROOT, "..", "shared", "data")
SRC = os.path.join(SHARED, "arabic-claimreview", "factcheck_api_claims.json")
OUT = os.path.join(ROOT, "eval-data", "xling-ar")

# (record index in the source file, split, darija, arabizi, french, english)
POSTS = [
    (0, "train",
     "مصر سدات السفارة ديال سوريا فالقاهرة حتى لإشعار آخر، الخبر دايز فكلشي",
     "masr sddat sifara dyal sourya f l9ahira 7tta l ich3ar akhor, lkhbar daiz f kolchi",
     "L'Égypte a fermé l'ambassade de Syrie au Caire jusqu'à nouvel ordre, selon un communiqué qui circule",
     "Egypt has shut the Syrian embassy in Cairo until further notice, the news is everywhere"),
    (2, "train",
     "عاجل: لقاو صدام حسين حي فحبس صيدنايا فسوريا",
     "3ajil: l9aw saddam hussein 7ay f 7abs saydnaya f sourya",
     "Urgent : Saddam Hussein retrouvé vivant dans la prison de Saydnaya en Syrie",
     "Breaking: Saddam Hussein found alive in Saydnaya prison in Syria"),
    (7, "train",
     "ترامب قال الجزاير غادي تكون أول بلاد نزورها من بعد ما نولي رئيس، نشراتها جريدة البلاد",
     "trump gal ldzayer ghadi tkoun awal blad nzorha mn b3d ma nwalli ra2is, nachratha jaridat el bilad",
     "Trump aurait déclaré que l'Algérie sera le premier pays qu'il visitera après son investiture, d'après le journal El Bilad",
     "Trump said Algeria will be the first country he visits after his inauguration, according to the Algerian paper El Bilad"),
    (8, "train",
     "الله يرحمهم، ماتو 30 طالب وطالبة حافظين القرآن من بلبيس فالشرقية فاصطدام طوبيس مع جرار ديال الترين",
     "lah yr7mhom, matou 30 talib w taliba 7afdin l9or2an mn belbeis f charqiya f istidam tobis m3a jarrar dyal train",
     "30 élèves récitants du Coran de Belbeis, gouvernorat de Charqiya, tués dans la collision d'un bus avec une locomotive",
     "30 Quran memorising students from Belbeis in Sharqia died when their bus hit a train engine"),
    (11, "train",
     "فيديو: الجزاير قطعات الضو على تونس",
     "video: ldzayer 9at3at do 3la tounes",
     "Vidéo : l'Algérie a coupé l'électricité à la Tunisie",
     "Video: Algeria has cut off electricity to Tunisia"),
    (19, "train",
     "تحل من جديد منفذ الطوال البري بين اليمن والسعودية",
     "t7al mn jdid manfad tiwal lbarri bin lyaman w sa3oudiya",
     "Le poste frontière terrestre d'Al-Tuwal entre le Yémen et l'Arabie saoudite a rouvert",
     "The Al-Tuwal land crossing between Yemen and Saudi Arabia has reopened"),
    (26, "train",
     "الأنترنيت الثابت فالمغرب هو أضعف واحد فالعالم، حنا فآخر الترتيب",
     "internet tabit f lmaghrib howa ad3af wa7ed f l3alam, 7na f akhir tartib",
     "L'internet fixe au Maroc est le plus lent du monde, on est dans les derniers du classement",
     "Morocco's fixed internet is the weakest in the world, near the bottom of every ranking"),
    (41, "train",
     "إنا لله وإنا إليه راجعون، توفى الداعية المصري عمر عبد الكافي",
     "inna lillah wa inna ilayhi raji3oun, twffa da3iya lmasri omar abdelkafi",
     "Décès du prédicateur égyptien Omar Abdelkafi",
     "The Egyptian preacher Omar Abdel Kafi has died"),
    (48, "train",
     "تفرگع سد فنيروبي العاصمة ديال كينيا",
     "tfer93 sedd f nairobi l3asima dyal kenya",
     "Un barrage a explosé à Nairobi, la capitale du Kenya",
     "A dam burst in Nairobi, the capital of Kenya"),
    (56, "train",
     "طيارة عسكرية جزايرية طاحت دابا، شوفو الروبورتاج",
     "tiyara 3askariya dzayriya ta7t daba, chofo reportage",
     "Un avion militaire algérien vient de s'écraser, regardez le reportage",
     "An Algerian military plane just crashed, watch the report"),
    (105, "train",
     "من بعد العراق، الجزاير حتى هي سحبات الرخصة لقناة العربية",
     "mn b3d l3ira9, ldzayer 7tta hiya s7bat rokhsa l9anat al arabiya",
     "Après l'Irak, l'Algérie retire à son tour la licence de la chaîne Al Arabiya",
     "After Iraq, Algeria too has withdrawn Al Arabiya's broadcasting licence"),
    (108, "train",
     "مصر حلات سفارة ديال الجمهورية الصحراوية فالقاهرة",
     "masr 7allat sifara dyal joumhouriya sa7rawiya f l9ahira",
     "L'Égypte ouvre une ambassade de la République sahraouie au Caire",
     "Egypt opens an embassy of the Sahrawi Republic in Cairo"),
    (3, "dev",
     "الجزيرة نقلات على يديعوت أحرونوت بلي المغرب صيفط تعزيزات أمنية كبيرة لإسرائيل فحدود الجولان",
     "jazira n9lat 3la yedioth a7ronot blli lmaghrib sift ta3zizat amniya kbira l israil f 7doud jolan",
     "Al Jazeera, citant Yediot Aharonot : le Maroc a envoyé d'importants renforts de sécurité à Israël sur la frontière du Golan",
     "Al Jazeera, quoting Yedioth Ahronoth: Morocco sent heavy security reinforcements to Israel on the Golan border"),
    (9, "dev",
     "إن بي سي الأمريكية: تقتل أبو عبيدة الناطق العسكري ديال القسام فعملية استهداف دقيقة",
     "nbc lmirikaniya: t9tel abou obeida natiq l3askari dyal l9assam f 3amaliya istihdaf da9i9a",
     "Selon NBC, Abou Obeida, porte-parole militaire des brigades al-Qassam, a été tué dans une frappe ciblée",
     "NBC reports that Abu Obaida, the military spokesman of the Qassam Brigades, was killed in a precise targeted strike"),
    (15, "dev",
     "زنقة 20: تشدو ربعة ديال البوليس بيناتهم جوج ضباط، عاونو جزايريين ياخدو الجنسية المغربية بوراق مزورين",
     "zan9a 20: tchddo rb3a dyal lbolis binathom joj dobbat, 3awnou dzayriyin ya5do jinsiya maghribiya b wra9 mzawrin",
     "Le site Zanka 20 rapporte l'arrestation de quatre agents de sécurité, dont deux officiers, soupçonnés d'avoir aidé des Algériens à obtenir la nationalité marocaine avec de faux papiers",
     "Moroccan site Zanqa 20: four security officers, two of them officers, arrested for helping Algerians get Moroccan nationality with forged papers"),
    (22, "dev",
     "عاجل: لقاو بقايا ديال مرا فباتنة فالجزاير عندها 4000 عام، بزواق من البرونز وغطا راس ماكاينش بحالو",
     "3ajil: l9aw ba9aya dyal mra f batna f ldzayer 3ndha 4000 3am, b zwa9 mn bronze w ghta ras makaynch b7alo",
     "Urgent : découverte à Batna, en Algérie, des restes d'une femme vieille de 4000 ans avec des ornements en bronze et une coiffe unique",
     "Breaking: remains of a 4,000-year-old woman found in Batna, Algeria, with intricate bronze ornaments and a unique headdress"),
    (27, "dev",
     "الجزيرة على يديعوت: كثر من 4000 جندي مغربي كيقاتلو مع جيش الاحتلال فالحرب على غزة",
     "jazira 3la yedioth: ktar mn 4000 jondi maghribi kay9atlo m3a jaych l i7tilal f l7arb 3la ghazza",
     "Al Jazeera citant Yediot : plus de 4000 soldats marocains combattent aux côtés de l'armée israélienne à Gaza",
     "Al Jazeera quoting Yedioth: more than 4,000 Moroccan soldiers are fighting alongside the Israeli army in Gaza"),
    (36, "dev",
     "شوفو الشاب خالد كيجاوب من بعد ما تهمو القضاء الجزايري بالتجسس لصالح المغرب",
     "chofo cheb khaled kayjaweb mn b3d ma thmo l9ada2 ldzayri b tajassous lsali7 lmaghrib",
     "Vidéo : la réponse de Cheb Khaled après que la justice algérienne l'a accusé d'espionnage au profit du Maroc",
     "Video of Cheb Khaled responding after Algerian courts accused him of spying for Morocco"),
    (40, "dev",
     "تقتلو 3 ديال البوليس فالمغرب وهربو 15 عسكري من الجيش الملكي",
     "t9tlo 3 dyal lbolis f lmaghrib w hrbo 15 3askari mn jaych lmalaki",
     "Trois policiers assassinés au Maroc et quinze militaires des Forces armées royales en fuite",
     "Three police officers assassinated in Morocco and 15 soldiers deserted the Royal Army"),
    (42, "dev",
     "فيديو ديال عساكر إسرائيليين كيشطحو فرحانين بخبر طيحة الهليكوبتر ديال الرئيس الإيراني",
     "video dyal 3sakr israiliyin kaychat7o fer7anin b khbar ti7at helicopter dyal ra2is l irani",
     "Vidéo de soldats israéliens qui dansent en apprenant le crash de l'hélicoptère du président iranien",
     "Video of Israeli soldiers dancing to celebrate news of the Iranian president's helicopter crash"),
    (46, "dev",
     "فلسطيني هز العلم ديال المغرب فالقدس من بعد داكشي لي وقع فأمستردام",
     "filistini hezz l3alam dyal lmaghrib f l9ods mn b3d dakchi li w9e3 f amsterdam",
     "Un Palestinien brandit le drapeau marocain à Jérusalem après les événements d'Amsterdam",
     "A Palestinian raises the Moroccan flag in Jerusalem after the Amsterdam events"),
    (79, "dev",
     "محمد المنفي رئيس المجلس الرئاسي الليبي دار الاستقالة",
     "mohamed menfi ra2is majlis ri2asi libi dar isti9ala",
     "Démission du président du Conseil présidentiel libyen, Mohamed el-Menfi",
     "Libya's Presidential Council head Mohamed al-Menfi has resigned"),
    (102, "dev",
     "مذيعة فالجزيرة زغرتات فالمباشر ملي الأمم المتحدة دخلات إسرائيل فاللائحة السودا ديال الدول لي كتعدا على الدراري",
     "moudi3a f jazira zghartat f lmobachir mli l2omam lmott7ida dkhlat israil f la2i7a souda dyal dowal li kat3adda 3la drari",
     "Une présentatrice d'Al Jazeera pousse des youyous en direct quand l'ONU inscrit Israël sur la liste noire des pays qui violent les droits des enfants",
     "An Al Jazeera anchor ululates live on air as the UN puts Israel on its blacklist of states that harm children"),
    (113, "dev",
     "مقتدى الصدر علن بلي غادي يعتازل السياسة من بعد ما تقتل حسن نصر الله",
     "mo9tada sadr 3lan blli ghadi y3tazil siyasa mn b3d ma t9tel 7assan nasrallah",
     "Moqtada al-Sadr annonce qu'il se retire de la politique après l'assassinat de Hassan Nasrallah",
     "Muqtada al-Sadr announces he is quitting politics after Hassan Nasrallah was killed"),
    (121, "dev",
     "البرلمان السويسري كامل طاح بالضحك ملي طرحو سؤال على الانتخابات الجزايرية",
     "parlement swissri kamel ta7 b d7k mli tar7o so2al 3la intikhabat ldzayriya",
     "Fou rire général au Parlement suisse quand une question est posée sur les élections algériennes",
     "The Swiss parliament burst out laughing when a question about the Algerian elections was asked"),
    (132, "dev",
     "رياض محرز مشا صوت فالانتخابات الجزايرية",
     "riyad mahrez mcha sowet f intikhabat ldzayriya",
     "Riyad Mahrez a voté à l'élection présidentielle algérienne",
     "Riyad Mahrez took part in the Algerian election"),
    (126, "dev",
     "لافتة فمدخل نهر الكلب فلبنان فيها تصويرة ترامب ومكتوب عليها الرئيس البطل من بعد ما ربح الانتخابات",
     "lafita f madkhal nahr lkalb f lobnan fiha tswira trump w mktoub 3liha ra2is lbatal mn b3d ma rbe7 intikhabat",
     "Une banderole à l'entrée de Nahr el-Kalb au Liban montre Trump avec l'inscription « le président héros » après sa victoire",
     "A banner at the entrance of Nahr al-Kalb in Lebanon shows Trump as 'the hero president' after his election win"),
    (127, "dev",
     "تصويرة ديال جزايريين رسمو علامة النازية على نصب تذكاري ففرنسا من بعد ما ربح اليسار الانتخابات التشريعية",
     "tswira dyal dzayriyin rasmo 3alamat nazia 3la nosb tidkari f fransa mn b3d ma rbe7 lyassar intikhabat tachri3iya",
     "Photo d'Algériens qui ont tagué une croix gammée sur un monument en France après la victoire de la gauche aux législatives",
     "Photo of Algerians painting a Nazi symbol on a memorial in France after the left won the legislative elections"),
    (131, "dev",
     "باسل ترجمان: قيس سعيد خدا أعلى نسبة فتاريخ الانتخابات الرئاسية فتونس",
     "basel tarjman: 9ays sa3id khda a3la nisba f tarikh intikhabat ri2asiya f tounes",
     "Bassel Tarjeman : Kaïs Saïed a obtenu le score le plus élevé de l'histoire des présidentielles en Tunisie",
     "Basel Tarjuman: Kais Saied won the highest vote share in the history of Tunisian presidential elections"),
    (146, "dev",
     "تصويرة مارين لوبان كتبكي من بعد ما خسر اليمين المتطرف الانتخابات التشريعية ففرنسا",
     "tswira marine le pen katbki mn b3d ma khser lyamin lmotatarrif intikhabat tachri3iya f fransa",
     "Photo de Marine Le Pen en larmes après la défaite de l'extrême droite aux législatives",
     "Picture of Marine Le Pen crying after the far right lost the French legislative elections"),
    (147, "dev",
     "تصاور ديال كامالا هاريس نايبة الرئيس الأمريكي راكعة على ركابيها قدام حائط البراق",
     "tsawr dyal kamala harris nayibat ra2is l amriki rak3a 3la rkabiha 9eddam 7a2it bora9",
     "Photos de Kamala Harris, vice-présidente américaine, à genoux devant le mur des Lamentations",
     "Pictures of US Vice President Kamala Harris kneeling in front of the Western Wall"),
    (153, "dev",
     "الحكومة الجزايرية غادي تعطي منحة 8000 دينار للمرا لي قاعدة فالدار",
     "l7oukouma ldzayriya ghadi t3ti min7a 8000 dinar lmra li ga3da f dar",
     "Le gouvernement algérien accorde une allocation de 8000 DA à la femme au foyer",
     "The Algerian government is giving stay-at-home women a grant of 8,000 dinars"),
    (100, "dev",
     "تصويرة ديال الجيش الأمريكي واجد فتايوان ملي الصين حاصرات الجزيرة بالبابورات والطيارات الحربية",
     "tswira dyal jaych l amriki wajed f taiwan mli sin 7asrat jazira b baborat w tiyarat 7arbiya",
     "Photo des forces américaines en alerte à Taïwan alors que la Chine encercle l'île de navires et d'avions de guerre",
     "Photo of US forces on alert in Taiwan as China surrounds the island with warships and warplanes"),
    (145, "dev",
     "فيديو ديال القمع ديال المظاهرات لي رفضات فوز نيكولاس مادورو فالانتخابات الرئاسية",
     "video dyal 9am3 dyal modaharat li rfdat fawz nicolas maduro f intikhabat ri2asiya",
     "Vidéo de la répression des manifestations contre la victoire de Nicolás Maduro à la présidentielle",
     "Video of the crackdown on protests against Nicolas Maduro's presidential election win"),
    (125, "dev",
     "فيديو: الأميش المسيحيين خرجو بالعرام باش يصوتو على ترامب فبنسلفانيا",
     "video: l amish lmasi7iyin khrjo bl3rram bach ysawto 3la trump f pennsylvania",
     "Vidéo : des Amish sortent en nombre pour voter Trump en Pennsylvanie à la présidentielle 2024",
     "Video shows crowds of Amish coming out to vote for Donald Trump in Pennsylvania in the 2024 election"),
    (30, "dev",
     "الجزيرة: توفى الرئيس اليمني السابق عبد ربه منصور هادي",
     "jazira: twffa ra2is lyamani sabi9 abd rabbo mansour hadi",
     "Al Jazeera annonce la mort de l'ancien président yéménite Abd Rabbo Mansour Hadi",
     "Al Jazeera reports the death of former Yemeni president Abd Rabbuh Mansur Hadi"),
]

# Posts that repeat no claim of the pool: same topics, other truth conditions.
NONE = [
    ("train", "ar", "مصر حلات سفارة جديدة فالرباط هاد السيمانة"),
    ("train", "fr", "Le Maroc et l'Espagne signent un accord sur l'eau potable à Tanger"),
    ("train", "en", "Algeria and Tunisia agree to build a new power line between the two countries"),
    ("train", "ar", "chkoun ghadi yrb7 l championnat had l3am, raja wla wydad?"),
    ("train", "fr", "La pluie est enfin revenue sur le Souss, les agriculteurs respirent"),
    ("train", "en", "The price of tomatoes in Casablanca markets doubled this week"),
    ("train", "ar", "الحكومة المغربية زادت فالسميك ب 5 فالمية"),
    ("train", "fr", "Le TGV Al Boraq prolongé jusqu'à Marrakech d'ici 2030, annonce l'ONCF"),
    ("train", "en", "Kenya's president visits Morocco to sign trade deals"),
    ("train", "ar", "lmountakhab lmaghribi ghadi ylab m3a brazil f tanja"),
    ("dev", "ar", "الجزيرة دارت روبورتاج على الصيادين فالداخلة"),
    ("dev", "ar", "9ays sa3id zar l9ayrawan w tla9a m3a lfella7a"),
    ("dev", "fr", "Marine Le Pen en visite au Salon de l'agriculture à Paris"),
    ("dev", "fr", "Riyad Mahrez marque un doublé en Arabie saoudite avec Al-Ahli"),
    ("dev", "en", "Kamala Harris gives a speech on housing costs in Atlanta"),
    ("dev", "en", "Moroccan police open a new station in the Fnideq city centre"),
    ("dev", "ar", "تساقطات ثلجية مهمة فإفران وميدلت هاد الليلة"),
    ("dev", "ar", "cheb khaled ghadi ydir concert f wahran f sif"),
    ("dev", "fr", "Le Parlement suisse adopte une loi sur les retraites"),
    ("dev", "fr", "L'Algérie lance un nouveau satellite de télécommunications"),
    ("dev", "en", "Egypt's central bank raises interest rates by two points"),
    ("dev", "en", "Yemen and Saudi Arabia hold talks on fishing rights in the Red Sea"),
    ("dev", "ar", "مهرجان موازين راجع هاد العام بفنانين من أفريقيا"),
    ("dev", "ar", "l9itar dyal casa-rabat t2akhar sa3a lyoum b sabab l3otla"),
    ("dev", "fr", "Un nouveau musée d'art contemporain ouvre ses portes à Rabat"),
    ("dev", "fr", "Tempête de sable sur le sud tunisien, les vols perturbés à Tozeur"),
    ("dev", "en", "Lebanon's parliament meets to discuss the budget for next year"),
    ("dev", "en", "Nairobi hosts an African climate summit this week"),
    ("dev", "ar", "المنتخب الجزايري ربح الماتش ديالو ضد الطوغو"),
    ("dev", "ar", "wach kayna chi pharmacie de garde f agadir lyouma?"),
]

FORMS = ["darija", "arabizi", "fr", "en"]
FORM_LANG = {"darija": "ar", "arabizi": "ar", "fr": "fr", "en": "en"}


def claim_id(record):
    url = record["claimReview"][0]["url"]
    return "arc-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


def words(text):
    return set(re.findall(r"\w+", text.lower()))


def near_copy(a, b):
    wa, wb = words(a), words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


def main():
    with open(SRC, encoding="utf-8") as f:
        records = json.load(f)["claims"]
    restated = {i: records[i] for i, *_ in POSTS}
    claims, seen = [], set()
    for i, r in enumerate(records):
        cid = claim_id(r)
        text = (r.get("text") or "").strip()
        if not text or cid in seen:
            continue
        if i not in restated and any(near_copy(text, t["text"]) for t in restated.values()):
            continue
        seen.add(cid)
        review = r["claimReview"][0]
        claims.append({
            "id": cid, "text": text, "lang": "ar",
            "url": review.get("url"),
            "publisher": (review.get("publisher") or {}).get("name"),
        })
    queries = {"train": [], "dev": []}
    qrels = {"train": [], "dev": []}
    for n, (i, split, *texts) in enumerate(POSTS):
        cid = claim_id(records[i])
        assert cid in seen, f"record {i} missing from the pool"
        for form, text in zip(FORMS, texts):
            qid = f"x{n:02d}-{form}"
            queries[split].append({"id": qid, "text": text, "lang": FORM_LANG[form]})
            qrels[split].append((qid, cid))
    for n, (split, lang, text) in enumerate(NONE):
        queries[split].append({"id": f"none{n:02d}-{lang}", "text": text, "lang": lang})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "claims.sources"), "w", encoding="utf-8") as f:
        # Every 10th English claim: embedding all 14,231 costs most of an
        # hour on the shared 2-core machine, for distractors that never
        # share a language with the Arabic claims.
        f.write("claims.jsonl 1\n../../../shared/data/clef2022-task2a-en/claims.jsonl 10\n")
    with open(os.path.join(OUT, "claims.jsonl"), "w", encoding="utf-8") as f:
        for c in claims:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    for split in ("train", "dev"):
        with open(os.path.join(OUT, f"{split}_queries.jsonl"), "w", encoding="utf-8") as f:
            for q in queries[split]:
                f.write(json.dumps(q, ensure_ascii=False) + "\n")
        with open(os.path.join(OUT, f"{split}_qrels.tsv"), "w", encoding="utf-8") as f:
            for qid, cid in qrels[split]:
                f.write(f"{qid}\t{cid}\n")
    print(f"{len(claims)} claims; " + ", ".join(
        f"{s}: {len(queries[s])} posts, {len(qrels[s])} qrels" for s in ("train", "dev")))


if __name__ == "__main__":
    main()
