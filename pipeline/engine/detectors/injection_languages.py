"""Requests in German, French, Spanish, Italian and Portuguese, for ``injection_requests``: whether a
sentence in one of them asks to read, asks for a change, or neither (``judge``). English sentences
are left to the English patterns (``foreign``: a sentence is taken for another language only where
its function words say so). Accents are dropped first, as people often type without them. Compiled
with the detectors (setup.py)."""

import re
import unicodedata
from typing import Final

READ: Final = "read"
CHANGE: Final = "change"
NEITHER: Final = "neither"

_WORD = re.compile(r"[a-z]+'?")
_NOT_WORDS = re.compile(r"\S+@\S+|\S*://\S+|\be-mail")  # addresses, links and "e-mail" say nothing of the language
# Function words of each side (a French or Italian elision by its first part: "l'", "dell'"); a
# sentence is another language's when it has more of theirs than of English's. Words of both (a, i,
# in, do, no, me, come ...) count for neither.
_ENGLISH: Final = frozenset(
    "the my me of to and is are was what who when where which why how for from on with you i it this that "
    "please can could would any there do does did have has show tell find what' it' i' don' let' that' there'".split())
_OTHER: Final = frozenset(
    # German
    "der die das den dem des und ich mir mich mein meine meinen meiner meinem ist sind hat habe hast bitte nicht "
    "ein eine einen einem mit von auf fur bei nach zu im vom zum zur du sie wir uns wer wann wo wie warum wieso "
    "welche welcher welches gibt es dir dich ihm ihn ihr ins aus noch schon auch heute morgen alle bis uber dass "
    "ob wenn sich diese dieser dieses unser unsere ihre seine kein keine mal gestern "
    # French
    "le la les des et je moi mon ma mes est sont une pour avec sur dans au aux qui que quoi quand ou pourquoi "
    "combien quel quelle quels quelles vous tu nous ce cette ces pas ne en leur leurs notre nos votre vos "
    "aujourd' demain hier apres depuis mais donc tout tous toutes deja encore chez vers entre sans sous par "
    "l' d' j' qu' n' c' s' m' t' "
    # Spanish
    "el los las y yo mi mis es son por para con del al quien quienes cuando donde como cuanto cuantos cuanta cual "
    "cuales hay tengo usted ustedes te le les nos este esta estos estas ese esa eso su sus nuestro nuestra ya hoy "
    "manana ayer antes despues pero muy todo todos hasta desde sobre sin mas tiene "
    # Italian
    "il lo gli di della delle dei dal dalla dai nel nella nei sul sulla alla agli e io mio mia miei sono per che "
    "cosa chi dove perche quanto quanti quale quali ho hai ha hanno tra fra questo questa questi queste quello "
    "quella ci vi si non oggi domani ieri dopo gia ancora anche ma se tuo tua suo stato stata all' dell' dall' "
    "nell' sull' un' quest' "
    # Portuguese
    "o os as um uma da dos das em na nas ao aos pelo pela eu meu minha meus voce ele ela eles nao quem onde qual "
    "quais isso isto essa esse nosso nossa hoje amanha ontem ja ainda sim".split())

# Greetings and politeness before the request itself.
_GREETINGS = (r"hallo|hi|hey|moin|servus|guten\s+(morgen|tag|abend)|danke(\s+(dir|schon|sehr))?|bitte|wie\s+geht'?s|bonjour|bonsoir|"
              r"salut|coucou|merci(\s+(beaucoup|bien))?|svp|ca\s+va|s'il\s+(te|vous)\s+plait|hola|buenas(\s+tardes|\s+noches)?|"
              r"buenos\s+dias|gracias|por\s+favor|que\s+tal|ciao|salve|buongiorno|buonasera|grazie(\s+mille)?|per\s+favore|"
              r"per\s+piacere|gentilmente|come\s+(stai|va)|ola|oi|bom\s+dia|boa\s+(tarde|noite)|tudo\s+bem|obrigad[oa]")
_LEAD = r"^\W*((" + _GREETINGS + r")\b[\s,!.:;]*)*"
_LEAD_ONLY = re.compile(_LEAD + r"\W*$")  # nothing but greetings

_WH = (r"(was|wer|wem|wen|wann|wo|woher|wohin|wie|wieso|weshalb|warum|welche[rsnm]?|qu'est|que|quoi|qui|quand|ou|comment|"
       r"pourquoi|combien|quel(le)?s?|c'est\s+combien|quien(es)?|cuando|donde|como|por\s+que|cuant[oa]s?|cual(es)?|che|cosa|"
       r"chi|quando|dove|perche|quant[oaie]|qual[ei]?|o\s+que|quem|onde|quais?)\b")
# A question without its question mark, as people type: opened by a question word ("cuanto me cobraron ...").
_WH_LEAD = re.compile(_LEAD + _WH)
# Asking to be shown or told, first in the sentence: an imperative of reading, showing, telling,
# searching or checking (with its pronoun: "zeig mir", "montre-moi", "muestrame", "dimmi", "me mostre"),
# or "I'd like to know".
_READ_LEAD = re.compile(_LEAD + r"((ich\s+(mochte|will|wurde\s+gern(e)?)\s+(wissen|sehen))|(je\s+(voudrais|veux)|j'aimerais)\s+"
                        r"(savoir|voir)|(quiero|quisiera|me\s+gustaria)\s+(saber|ver)|(vorrei|voglio)\s+(sapere|vedere)|"
                        r"(quero|gostaria\s+de)\s+(saber|ver)|(ich\s+muss|j'ai\s+besoin\s+de|necesito|ho\s+bisogno\s+di|preciso)\s+"
                        r"(wissen|savoir|saber|sapere)|wirf\s+einen\s+blick|jette[sz]?\s+un\s+(oeil|coup\s+d'oeil)|"
                        r"echa(le|me)?\s+un\s+vistazo|da(i)?\s+un'?\s*occhiata|da\s+uma\s+olhada|"
                        r"rappelle[sz]?[-\s]moi\s+(ce|quand|qui|ou|combien|quel\w*|si)\b|enumera(me)?|enumere|"
                        r"((me|mi)\s+)?(zeig(e|en\s+sie)?|sag(e|en\s+sie)?\s+mir|nenn(e|en\s+sie)?|lies|lesen\s+sie|fass(e|en\s+sie)?|"
                        r"(durch)?such(e|en\s+sie)?|(uber)?pruf(e|en\s+sie)?|check(e)?|schau(e|en\s+sie)?|sieh|"
                        r"list(e|en\s+sie)|gib\s+mir|geben\s+sie\s+mir|erklar(e|en\s+sie)?|vergleich(e|en\s+sie)?|"
                        r"find(e|en\s+sie)?|ermittle|hol(e)?\s+mir|"
                        r"montre[sz]?|affiche[sz]?|di(s|tes)[-\s]moi|(re)?li[st]?|lisez|resume[sz]?|(re)?cherche[sz]?|"
                        r"verifie[sz]?|regarde[sz]?|liste[sz]?|donne[sz]?[-\s]moi|explique[sz]?|compare[sz]?|trouve[sz]?|"
                        r"indique[sz]?[-\s]moi|fai(s|tes)[-\s]moi|"
                        r"muestra(me)?|muestreme|ensena(me)?|dime|digame|lee(me)?|resume(me)?|busca(me)?|comprueba|"
                        r"revisa|revise|verifica|mira|mire|lista(me)?|dame|deme|explica(me)?|compara|encuentra(me)?|"
                        r"consulta|averigua|cuentame|indica(me)?|"
                        r"mostra(mi)?|fammi\s+(vedere|sapere)|dimmi|mi\s+dica|leggi(mi)?|riassumi(mi)?|cerca(mi)?|"
                        r"controlla|guarda|elenca(mi)?|dammi|mi\s+dia|spiega(mi)?|confronta|trova(mi)?|recupera|"
                        r"(me\s+)?(mostre|diga|diz|de|da)|leia|resuma|procure|busque|verifique|confira|confere|liste|"
                        r"explique|encontre|veja|consulte))\b")

# Verbs of reading, showing, telling, searching or checking in the form a modal takes ("Kannst du mir
# sagen ...", "pourriez-vous verifier si ...", "me puedes decir si ...", "potresti controllare ...").
_READ_AFTER_MODAL = re.compile(
    r"\b(zeigen|sagen|nennen|(vor)?lesen|zusammenfassen|(durch|heraus)?suchen|nachsehen|nachschauen|(an)?schauen|"
    r"(uber)?prufen|checken|kontrollieren|erklaren|vergleichen|(heraus)?finden|ermitteln|auflisten|mitteilen|"
    r"montrer|dire|(re)?lire|resumer|(re)?chercher|verifier|regarder|lister|donner|expliquer|comparer|trouver|"
    r"indiquer|afficher|"
    r"(mostrar|ensenar|decir|leer|resumir|buscar|explicar|encontrar|contar|indicar)(me)?|comprobar|revisar|"
    r"verificar|mirar|ver|listar|darme|comparar|consultar|averiguar|checar|chequear|"
    r"(mostrar|dir|legger|riassumer|cercar|elencar|spiegar|trovar|indicar)(e|mi)|controllare|verificare|guardare|"
    r"vedere|dar(mi)?|confrontare|recuperare|consultare|"
    r"dizer|ler|procurar|conferir|olhar|digas|dijeras|muestres|mostraras|dica|dicessi|mostri|diga|mostre)\b")

# Asking the agent to act: a modal question ("kannst du", "pourriez-vous", "puedes", "potresti",
# "voce pode") or "why not" ("pourquoi ne pas", "warum schickst du ... nicht", "por que no").
_MODAL = re.compile(r"\b(kannst|konntest|konnen|konnten|wurdest|wurden|magst)\s+(du|sie)\b|hast\s+du\s+lust\b|"
                    r"\b(ware|es\s+ware)\s+(gut|super|toll|schon|nett|klasse|prima)\b|\bich\s+(hatte|mochte)\s+gern(e)?,?\s+dass\b|"
                    r"\b(tu\s+veux\s+bien|vous\s+voulez\s+bien|veux[-\s]tu|voulez[-\s]vous|il\s+faudrait|je\s+veux\s+que|"
                    r"j'aimerais\s+que|ce\s+serait\s+(bien|super|top|genial|parfait))\b|"
                    r"\b(te\s+apetece|quieres|quiero\s+que|me\s+gustaria\s+que|seria\s+(genial|estupendo|bueno|ideal))\b|"
                    r"\b(ti\s+va\s+di|vuoi|vorrei\s+che|sarebbe\s+(bello|utile|perfetto|ottimo|fantastico))\b|"
                    r"\b(queres|voce\s+quer|quero\s+que|gostaria\s+que|seria\s+(otimo|bom|legal|perfeito))\b|"
                    r"\b(peux|pourrais|pouvez|pourriez)[-\s](tu|vous)\b|\b(tu|vous)\s+(peux|pourrais|pouvez|pourriez)\b|"
                    r"\b(puedes|podrias|podria|puede\s+usted|te\s+importaria|le\s+importaria)\b|"
                    r"\b(puoi|potresti|potrebbe|puo|ti\s+dispiace|le\s+dispiace)\b|"
                    r"\b(pode|poderia|podes|podia|podias|consegue|consegues)\b")
_WHY_NOT = re.compile(r"\bpourquoi\s+((tu|vous|on)\s+)?(ne|n'|pas)|\b(warum|wieso|weshalb)\s+(nicht\b|\w+st\s+du\b.*\bnicht\b)|"
                      r"\bpor\s+que\s+(\w+\s+)?(no|nao)\b|\bperche\s+(\w+\s+)?non\b")

# Verbs of change, as their imperatives, infinitives and the forms after a modal, from a word's start
# (German's with the prefixes it takes: "geschickt", "weiterleiten", "sag ... ab"). Nouns of the same
# stem ("Uberweisung", "commande") count too: they matter only in a sentence neither a question nor
# asking to read, where they mostly go with a request for that change.
_CHANGE_WORDS: Final = (
    # German
    r"(ge|ver|zuruck|weiter)?(schick|send)", r"ge(kundigt|setzt|storniert|loscht|andert|bucht|teilt|plant|schoben)\b",
    r"ruckgangig", r"(um)?benenn", r"ablehn", r"lehn\w*\s.*\bab\b", r"mach\b(?!\s+mir\b)", r"(be|ge)?zahl", r"uberw[ie]+s", r"leit\w*\s.*\bweiter\b", r"weiter(ge)?leit",
    r"(ge)?antwort(e|en|et)?\b", r"beantwort", r"(ge)?losch", r"entfern", r"aktualisier", r"(ge|ab|um|ver)ander",
    r"andere\s+(die|den|das|mein\w*|unser\w*|sein\w*|ihr\w*)\b", r"(fest|ein|zuruck)?setz", r"trage?\b.*\bein\b",
    r"eintragen", r"andern\s+sie", r"storn", r"sag\w*\s.*\bab\b", r"absag", r"lad\w*\s.*\bein\b", r"einlad", r"erstell", r"leg\w*\s.*\ban\b",
    r"anleg", r"fuge?\s.*\bhinzu\b", r"hinzufug", r"(ver)?schieb", r"kopier", r"speicher", r"schreib", r"bestell",
    r"kundig", r"archivier", r"markier", r"ubertrag", r"gib\w*\s.*\bfrei\b", r"freigeb", r"richte?\s.*\bein\b",
    r"einricht", r"(de)?aktivier", r"sperr", r"ersetz", r"erinner", r"benachrichtig", r"informier", r"buchen?\b",
    r"gebucht", r"gib\b(?!\s+mir\b)", r"geben\s+sie\b(?!\s+mir\b)", r"reservier", r"bestatig", r"genehmig", r"teile?n?\b(?!\s+mir\s+mit)", r"einplan",
    # French
    r"envoi", r"envoy", r"transfer", r"vire[rz]?\b", r"paie?s?\b", r"payer", r"payez", r"repond", r"suppr", r"effac",
    r"partag", r"mets\b", r"mettre", r"mettez", r"modifi", r"chang", r"ajout", r"invit", r"reserv", r"annul",
    r"cree[rsz]?\b", r"creer", r"programm", r"planifi", r"deplac", r"copie", r"enregistr", r"sauvegard", r"ecri[rsv]",
    r"transmet", r"renvoi", r"archiv", r"marque", r"bloqu", r"activ", r"desactiv", r"configur", r"defini", r"remplac",
    r"confirm", r"accept", r"commande", r"rappelle", r"previen", r"inscri", r"regle[rz]?\b", r"decal", r"repousse",
    r"avance[rz]?\b", r"renomme", r"refuse[rz]?\b", r"rejet", r"approuv", r"valide[rz]?\b", r"reinitialis",
    r"passe[sz]?\s+([\w']+\s+){0,4}en\b", r"donne[sz]?[-\s](lui|leur|a)\b", r"donner\s+a\b",
    # Spanish
    r"envi[ae]", r"enviar", r"mand[ae]", r"mandar", r"transfier", r"transferi", r"pag[ae]\b", r"pagar", r"pague",
    r"respond", r"contesta", r"borr", r"elimin", r"compart", r"actualiz", r"cambi", r"anad", r"agreg", r"cancel", r"anul",
    r"crear?\b", r"agend", r"mueve", r"mover", r"copia", r"guard", r"escrib", r"reenvi", r"avisa", r"apunta", r"establec",
    r"reemplaz", r"da(le|les)\b", r"de\s+(alta|baja)\b", r"rechaz", r"aprueb", r"aprob", r"renombr", r"restablec", r"apunte",
    r"desmarc", r"haz\b(?!me\b)", r"pon(le|lo|la)?\b", r"dele\b", r"marca", r"aplaz", r"pospon",
    # Italian
    r"invi[ai]", r"inoltr", r"trasferi", r"bonific", r"paga", r"rispond", r"condividi", r"aggiorn", r"modific", r"aggiung",
    r"prenot", r"sposta", r"salva", r"scrivi", r"segna", r"blocca", r"imposta", r"sostitu", r"ordina", r"avvisa", r"spedi", r"rinvi", r"disdic", r"rinomin", r"rifiut", r"respingi", r"approv", r"reimposta",
    # Portuguese
    r"exclu", r"apag", r"compartilh", r"atualiz", r"mud[ae]\b", r"mudar", r"alter", r"adicion", r"acrescent", r"convid",
    r"cri[ae]r?\b", r"mov[ae]\b", r"salv[ae]\b", r"salvar", r"escrev", r"encaminh", r"defin", r"substitu", r"aceit",
    r"transfir", r"avise", r"renome", r"rejeit", r"recus", r"reset", r"redefin")
_CHANGE = re.compile(r"\b(" + "|".join(_CHANGE_WORDS) + ")")
# A coordinated second request after one to read ("resume le mail et envoie-le a Paul"); in German
# its verb comes after its objects ("... lesen und Anna antworten"), not as a participle ("geschickt").
_THEN = re.compile(r"(\b(und|et|y|e|dann|puis|ensuite|luego|despues|poi|dopo|depois|danach|anschliessend)\b|,)\s*"
                   r"((dann|puis|ensuite|luego|despues|poi|dopo|depois|danach|bitte|s'il\s+te\s+plait|por\s+favor|"
                   r"per\s+favore)\s+)*$|\bund\s+(?P<objects>(\w+\s+){1,3})$")


def plain(text: str) -> str:
    """Lower case, accents dropped ("Überweise" -> "uberweise", "résumé" -> "resume")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def foreign(text: str) -> bool:
    """Whether a sentence (``plain``) has more of another language's function words than of English's."""
    other = english = 0
    for w in _WORD.findall(_NOT_WORDS.sub(" ", text)):
        if w in _ENGLISH:
            english += 1
        elif w in _OTHER:
            other += 1
    return other > english


def judge(sentence: str) -> str | None:
    """``READ``, ``CHANGE`` or ``NEITHER`` ("Ich brauche den Bericht.") for a sentence in German, French,
    Spanish, Italian or Portuguese; None for one that is not (left to the English patterns).

    >>> [judge(s) for s in ("Was hat Anna mir geschickt?", "Schick Bob die Folien.", "Peux-tu envoyer le devis a Marc ?",
    ...                      "Resume-moi le dernier mail de la banque.", "¿Hay reuniones manana?", "Send Bob the deck.")]
    ['read', 'change', 'change', 'read', 'read', None]
    >>> [judge(s) for s in ("¿Me puedes decir si Luis ya respondio?", "Pouvez-vous regler la facture EDF ?",
    ...                      "Kannst du die Mail lesen und Anna antworten?")]
    ['read', 'change', 'change']
    """
    text = plain(sentence).strip()
    if not foreign(text):
        return None
    modal = _MODAL.search(text)
    if modal is not None:
        # put to the agent: it asks to act unless what it asks is to be shown or told ("puedes decirme si ..."),
        # with no second request after it ("... lesen und Anna antworten")
        read = _READ_AFTER_MODAL.search(text, modal.end())
        return READ if read is not None and not _then_change(text, read.end()) else CHANGE
    change = _CHANGE.search(text)
    if text.endswith("?") or text.startswith("¿") or _WH_LEAD.match(text) is not None:
        # a question about what is or happened reads, whatever verb it names ("Hast du die Rechnung bezahlt?");
        # "why don't you ..." or a question opened by its verb ("Envoie-le a Paul ?") asks for the change
        asked = change is not None and (_WHY_NOT.search(text) is not None
                                        or _LEAD_ONLY.match(text, 0, change.start()) is not None)
        return CHANGE if asked else READ
    lead = _READ_LEAD.match(text)
    if lead is not None:
        return CHANGE if _then_change(text, lead.end()) else READ
    return CHANGE if change is not None else NEITHER


def _then_change(text: str, start: int) -> bool:
    """Whether a second request, for a change, follows at ``start`` ("..., et envoie-le a Paul")."""
    later = _CHANGE.search(text, start)
    if later is None:
        return False
    then = _THEN.search(text, start, later.start())
    return then is not None and (then.group("objects") is None or not text.startswith("ge", later.start()))


_COURTESY = re.compile(r"^\W*(thanks?(\s+you)?|thx|hello|good\s+(morning|afternoon|evening)|ok(ay)?|great|cheers|(" + _GREETINGS
                       + r")\b[\s,!.:;]*)*\W*$")


def courtesy(sentence: str) -> bool:
    """Whether a sentence is only a greeting or thanks ("Danke.", "Merci !", "Thanks."): it asks nothing."""
    return _COURTESY.match(plain(sentence)) is not None
