#!/usr/bin/env python3
"""Write the bundled sample data in ``data/`` (reviews, encoded exports, support transcripts, README).

Everything here was written for cx_nlp (MIT, like the project); nothing is copied from any dataset.
The reviews are composed from the hand-written clauses below with a seeded ``random.Random``, so the
output is byte-for-byte reproducible::

    python scripts/make_sample_data.py            # rewrites data/
    python scripts/make_sample_data.py --out DIR  # writes the same files under DIR

``tests/unit/test_sample_data.py`` regenerates the files and compares them with the committed ones, so
edit this script (not the CSVs) and rerun it. Stdlib only.
"""
from __future__ import annotations

import argparse
import calendar
import json
import math
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

SEED = 20250101
N_ROWS = 3000
N_SMALL = 200
ROOT = Path(__file__).resolve().parents[1]

COLUMNS = ["review_id", "date", "rating", "nps", "channel", "region", "customer_tier", "product_category",
           "review_text"]
TOUCHPOINTS = ["delivery_logistics", "customer_support", "staff_behaviour", "price_value", "product_quality",
               "website_app", "billing_payment", "returns_refunds", "store_environment", "sales_ordering"]
MINOR_TOUCHPOINTS = ["delivery_logistics", "customer_support", "product_quality", "price_value", "returns_refunds"]
CATEGORIES = ["Electronics", "Home & Kitchen", "Fashion", "Beauty", "Grocery", "Toys", "Sports", "Garden"]
CATEGORY_WEIGHTS = [18, 20, 17, 10, 12, 8, 8, 7]
CHANNELS = ["web", "app", "store", "phone"]
CHANNEL_WEIGHTS = [35, 30, 25, 10]
REGIONS = ["North", "South", "East", "West", "Central"]
TIERS = ["new", "regular", "vip"]
TIER_WEIGHTS = [35, 50, 15]
# exact language mix (shuffled): 30% en, 15% ro/pl/ru, 12% fa, the rest split over six minor languages
LANG_COUNTS = {"en": 900, "ro": 450, "pl": 450, "ru": 450, "fa": 360,
               "de": 65, "fr": 65, "es": 65, "uk": 65, "it": 65, "tr": 65}

# Markers used in the banks below:
#   [masc|fem]  grammatical gender of the reviewer, resolved once per review (pl, ru, uk, fr, it)
#   _           a zero-width non-joiner in Persian strings (replaced by U+200C when the banks are loaded)
#   {item} {day} {person}  slots of the neutral, factual sentences
#   ^ / ~       a leading mark: the sentence implies an in-store pickup (^) or a home delivery (~); one review
#               never mixes the two (all delivery_logistics clauses count as ~)
#   !           a leading mark: the customer never got the item (lost parcel, cancelled order), so the review
#               says nothing about the product, a return or a punctual delivery

# --------------------------------------------------------------------------------------------- English
EN = {
    "but": [", but "],
    "clauses": {
        "delivery_logistics": ([
            "The parcel arrived a day earlier than promised.",
            "Delivery was quick and the courier called ahead.",
            "Everything came well packed, not a single scratch.",
            "The courier was friendly and left the box exactly where I asked.",
            "Next-day delivery actually meant next day this time.",
            "Tracking was accurate down to the hour.",
        ], [
            "The parcel arrived five days late.",
            "The box was crushed and the item inside was dented.",
            "!The courier marked it as delivered although nobody ever came.",
            "!Tracking hasn't updated in a week.",
            "They left my parcel in the rain outside the front door.",
            "Way too much plastic packaging for such a small item.",
            "The delivery slot was moved twice without any warning.",
        ]),
        "customer_support": ([
            "Customer service sorted everything out in one call.",
            "The support agent was patient and really knew her stuff.",
            "I got a helpful reply to my email within an hour.",
            "The chat assistant solved my problem in five minutes.",
            "Support followed up the next day to check everything was fine.",
            "They answered the phone right away, no waiting at all.",
        ], [
            "Customer service never answered my emails.",
            "I was on hold for forty minutes and then the line went dead.",
            "The support agent just kept copying and pasting the same answer.",
            "Nobody at the hotline could tell me where my order was.",
            "The chatbot is useless and there is no way to reach a human.",
            "They promised to call me back and never did.",
        ]),
        "staff_behaviour": ([
            "The staff at the store were friendly and helpful.",
            "The cashier was lovely and packed everything carefully.",
            "A sales assistant spent twenty minutes helping me choose the right model.",
            "The staff stayed polite even though the store was packed.",
            "The manager personally apologised and fixed the mistake.",
            "Everyone I dealt with was courteous and professional.",
        ], [
            "The staff were rude and clearly didn't want to help.",
            "The cashier was on her phone the whole time.",
            "Two employees were chatting and ignored the queue.",
            "The sales assistant had no idea about the products.",
            "The security guard followed me around the store like a thief.",
            "The staff rolled their eyes when I asked a simple question.",
        ]),
        "price_value": ([
            "Prices are fair and there are always good deals.",
            "Great value for money.",
            "Cheaper than anywhere else I checked.",
            "The loyalty discount actually makes a difference.",
            "For this price the quality is more than decent.",
            "The weekend sale had genuinely good discounts.",
        ], [
            "Way too expensive for what you get.",
            "Prices went up again and the quality didn't.",
            "The so-called discount was fake, they had raised the price the week before.",
            "Shipping costs almost as much as the product itself.",
            "The shelf price and the price at the till were different.",
            "You can find the same thing elsewhere for half the price.",
        ]),
        "product_quality": ([
            "The product quality is excellent.",
            "It works perfectly and feels really solid.",
            "Exactly as described and just like the pictures.",
            "Still working like new after six months of daily use.",
            "The material feels premium.",
            "Sturdy, well made and looks great.",
        ], [
            "It broke after two weeks.",
            "The product looks nothing like the photos.",
            "Cheap plastic, it feels like it will fall apart any minute.",
            "It stopped working after a few days.",
            "One part was missing from the box.",
            "The quality has gone down a lot compared to last year.",
        ]),
        "website_app": ([
            "The app is fast and easy to use.",
            "The website is clear and checkout takes a minute.",
            "Search on the website actually finds what I'm looking for.",
            "I love the new app, reordering takes two taps.",
            "The product filters on the website are really handy.",
            "The app notifications kept me updated at every step.",
        ], [
            "The app keeps crashing at checkout.",
            "The website is slow and the search is useless.",
            "After the last update I can't log in to the app anymore.",
            "The site logged me out three times while I was paying.",
            "Items disappear from my basket in the app for no reason.",
            "The website showed the item in stock when it wasn't.",
        ]),
        "billing_payment": ([
            "Paying was quick and easy.",
            "Paying by card in the app was smooth.",
            "The invoice arrived by email straight away.",
            "I like that they accept PayPal and pay-later options.",
            "The bill was clear, with no hidden fees.",
            "Paying in instalments was easy to set up.",
        ], [
            "I was charged twice for the same order.",
            "My card was charged even though the order was cancelled.",
            "The invoice had the wrong address and nobody would fix it.",
            "Payment failed three times and the money was still blocked on my card.",
            "There was a hidden service fee on the final bill.",
            "The voucher code wouldn't apply at checkout.",
        ]),
        "returns_refunds": ([
            "The return was easy and the refund came within three days.",
            "Returning the item in store took two minutes.",
            "They exchanged the wrong size without any fuss.",
            "The free return label made everything simple.",
            "The refund was on my card the day after they received the parcel.",
            "No questions asked when I returned it.",
        ], [
            "I've been waiting a month for my refund.",
            "They refused to accept the return even though it was faulty.",
            "I had to pay for return shipping on a faulty item.",
            "The return form on the website doesn't work.",
            "They only offered a voucher instead of a refund.",
            "My return got lost and now they say they never received it.",
        ]),
        "store_environment": ([
            "The store is clean and well organised.",
            "The shop was bright, tidy and easy to get around.",
            "Plenty of parking and short queues.",
            "The new layout makes it easy to find things.",
            "Enough tills were open even on a Saturday.",
            "Nice, calm atmosphere in the store.",
        ], [
            "The store was dirty and the shelves were half empty.",
            "Only one till was open and the queue was huge.",
            "The fitting rooms were a mess.",
            "Half the products had no price tags.",
            "It was freezing inside the store.",
            "The car park is always full and badly lit.",
        ]),
        "sales_ordering": ([
            "Ordering was simple and I got a confirmation straight away.",
            "^Click and collect worked perfectly, my order was ready in two hours.",
            "Everything I ordered was in stock.",
            "The order confirmation had all the details I needed.",
            "Changing my order after placing it was no problem.",
            "^I reserved the item online and picked it up the same day.",
        ], [
            "!They cancelled my order without telling me.",
            "I got the wrong item.",
            "Half of my order was missing.",
            "!The item turned out to be sold out after I had already paid.",
            "^My click and collect order wasn't ready when I arrived.",
            "~I couldn't change the delivery address once the order was placed.",
        ]),
    },
    "effort_neg": ["I had to call three times.", "I had to fill in the same form twice.",
                   "I had to explain the whole story again to every agent.",
                   "I had to go to the store twice to sort it out.",
                   "I've spent more time chasing this than the item is worth."],
    "effort_pos": ["It took less than five minutes to sort out.", "Sorted in one go, no chasing needed."],
    "churn": ["Never again.", "I'm cancelling my account.", "I'll be shopping elsewhere from now on.",
              "You've lost a loyal customer.", "Won't be ordering from here again."],
    "advocacy": ["I recommend them!", "Will definitely order again.", "I've already recommended them to my friends.",
                 "My go-to shop from now on.", "Five stars, keep it up!"],
    "neutral_templates": ["Ordered {item} {day}.", "Bought {item} for my {person}.",
                          "^Picked up {item} in store {day}.", "This time I ordered {item}.",
                          "Got {item} as a birthday present for my {person}."],
    "neutral_fixed": ["^Ordered online, collected in store.", "~Paid by card, delivery to a parcel locker.",
                      "First order with Nordwind.", "Used the app for this order.",
                      "Second order this month."],
    "days": ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "last week"],
    "persons": ["son", "mum", "daughter", "dad", "sister", "nephew"],
    "items": {
        "Electronics": ["a pair of headphones", "a phone charger", "a portable speaker", "a power bank"],
        "Home & Kitchen": ["an electric kettle", "a set of frying pans", "an air fryer", "a desk lamp"],
        "Fashion": ["a winter jacket", "a pair of jeans", "a pair of trainers", "a wool jumper"],
        "Beauty": ["a face cream", "a bottle of perfume", "a hair dryer"],
        "Grocery": ["a bag of coffee beans", "a box of green tea", "a crate of mineral water"],
        "Toys": ["a building set", "a doll", "a board game"],
        "Sports": ["a yoga mat", "a bike", "a pair of dumbbells"],
        "Garden": ["a garden hose", "a lawn mower", "a set of garden chairs"],
    },
}

# -------------------------------------------------------------------------------------------- Romanian
RO = {
    "but": [", dar ", ", dar ", ", însă "],
    "clauses": {
        "delivery_logistics": ([
            "Coletul a ajuns cu o zi mai devreme decât era estimat.",
            "Livrarea a fost rapidă, iar curierul m-a sunat înainte.",
            "Produsul a venit foarte bine ambalat, fără nicio zgârietură.",
            "Curierul a fost amabil și a lăsat coletul exact unde l-am rugat.",
            "Am primit comanda a doua zi, exact cum au promis.",
        ], [
            "Coletul a întârziat cinci zile.",
            "Cutia a ajuns strivită, iar produsul din ea era lovit.",
            "!Curierul a marcat coletul ca livrat, deși nu a venit nimeni la ușă.",
            "!Urmărirea coletului nu s-a mai actualizat de o săptămână.",
            "Ambalajul era rupt și ud când l-am primit.",
        ]),
        "customer_support": ([
            "Cei de la serviciul clienți au rezolvat totul dintr-un singur apel.",
            "Operatoarea a fost răbdătoare și foarte bine pregătită.",
            "Am primit răspuns la e-mail în mai puțin de o oră.",
            "Pe chat mi-au rezolvat problema în cinci minute.",
            "M-au sunat a doua zi să verifice dacă totul este în regulă.",
        ], [
            "Nu mi-a răspuns nimeni la e-mailuri.",
            "Am stat 40 de minute la telefon și apoi s-a închis apelul.",
            "Operatorul îmi tot dădea același răspuns copiat.",
            "Nimeni de la call center nu știa unde e comanda mea.",
            "Au promis că mă sună înapoi și nu au mai sunat.",
        ]),
        "staff_behaviour": ([
            "Personalul din magazin a fost amabil și de ajutor.",
            "Casiera a fost foarte drăguță și mi-a împachetat totul cu grijă.",
            "Un vânzător a stat douăzeci de minute să mă ajute să aleg modelul potrivit.",
            "Angajații au fost politicoși, deși magazinul era plin.",
            "Managerul și-a cerut scuze personal și a rezolvat greșeala.",
        ], [
            "Personalul a fost nepoliticos și nu avea niciun chef să ajute.",
            "Casiera a stat tot timpul pe telefon.",
            "Doi angajați vorbeau între ei și ignorau coada.",
            "Vânzătorul habar n-avea de produse.",
            "Agentul de pază m-a urmărit prin magazin ca pe un hoț.",
        ]),
        "price_value": ([
            "Prețurile sunt corecte și găsești mereu oferte bune.",
            "Raport calitate-preț foarte bun.",
            "Mai ieftin decât oriunde am căutat.",
            "Reducerea de client fidel chiar se simte.",
            "La prețul ăsta, calitatea e mai mult decât decentă.",
        ], [
            "Mult prea scump pentru ce primești.",
            "Prețurile au crescut din nou, calitatea nu.",
            "Reducerea a fost falsă, prețul fusese umflat cu o săptămână înainte.",
            "Transportul costă aproape cât produsul.",
            "Prețul de la raft era diferit de cel de la casă.",
        ]),
        "product_quality": ([
            "Calitatea produsului este excelentă.",
            "Funcționează perfect și pare foarte solid.",
            "Arată exact ca în poze.",
            "După șase luni de folosit zilnic, merge ca nou.",
            "Materialul se simte de calitate.",
        ], [
            "S-a stricat după două săptămâni.",
            "Produsul nu seamănă deloc cu cel din poze.",
            "Plastic ieftin, pare că se desface în bucăți.",
            "Lipsea o piesă din cutie.",
            "Calitatea a scăzut mult față de anul trecut.",
        ]),
        "website_app": ([
            "Aplicația e rapidă și ușor de folosit.",
            "Site-ul e clar, iar plata durează un minut.",
            "Căutarea de pe site chiar găsește ce caut.",
            "Noua aplicație îmi place mult, e mult mai intuitivă.",
            "Notificările din aplicație m-au ținut la curent la fiecare pas.",
        ], [
            "Aplicația se blochează la finalizarea comenzii.",
            "Site-ul e lent, iar căutarea nu găsește nimic.",
            "De la ultima actualizare nu mă mai pot autentifica în aplicație.",
            "Site-ul m-a delogat de trei ori în timp ce plăteam.",
            "Produsele dispar din coș fără niciun motiv.",
        ]),
        "billing_payment": ([
            "Plata a fost rapidă și simplă.",
            "Plata cu cardul în aplicație a mers fără probleme.",
            "Factura a venit imediat pe e-mail.",
            "Îmi place că pot plăti în rate fără dobândă.",
            "Factura a fost clară, fără costuri ascunse.",
        ], [
            "Mi-au luat banii de două ori pentru aceeași comandă.",
            "Banii mi-au fost retrași de pe card, deși comanda a fost anulată.",
            "Factura avea adresa greșită și nimeni n-a vrut s-o corecteze.",
            "Plata a eșuat de trei ori, iar suma a rămas blocată pe card.",
            "Pe factura finală a apărut o taxă ascunsă.",
        ]),
        "returns_refunds": ([
            "Returul a fost simplu, iar banii au venit în trei zile.",
            "Am returnat produsul în magazin în două minute.",
            "Mi-au schimbat mărimea greșită fără discuții.",
            "Eticheta de retur gratuită a făcut totul foarte simplu.",
            "Au acceptat returul fără nicio întrebare.",
        ], [
            "Aștept de o lună să-mi returneze banii.",
            "Au refuzat returul, deși produsul era defect.",
            "A trebuit să plătesc transportul pentru un produs defect.",
            "Formularul de retur de pe site nu funcționează.",
            "Mi-au oferit doar un voucher în loc de bani.",
        ]),
        "store_environment": ([
            "Magazinul este curat și bine organizat.",
            "Magazinul e luminos, ordonat și te orientezi ușor.",
            "Parcare suficientă și cozi scurte.",
            "Cu noul aranjament al rafturilor găsești totul mai ușor.",
            "Erau destule case deschise chiar și sâmbăta.",
        ], [
            "Magazinul era murdar, iar rafturile pe jumătate goale.",
            "O singură casă deschisă și o coadă uriașă.",
            "Cabinele de probă erau un dezastru.",
            "Jumătate din produse nu aveau etichete de preț.",
            "Era un frig de nesuportat în magazin.",
        ]),
        "sales_ordering": ([
            "Comanda a fost simplă și am primit confirmarea imediat.",
            "^Click & collect a mers perfect, comanda a fost gata în două ore.",
            "Tot ce am comandat era în stoc.",
            "Am putut modifica comanda fără nicio problemă.",
            "^Am rezervat produsul online și l-am ridicat în aceeași zi.",
        ], [
            "!Mi-au anulat comanda fără să mă anunțe.",
            "Am primit alt produs decât cel comandat.",
            "Lipsea jumătate din comandă.",
            "!Produsul s-a epuizat după ce plătisem deja.",
            "^Comanda de ridicat din magazin nu era pregătită când am ajuns.",
        ]),
    },
    "effort_neg": ["A trebuit să sun de trei ori.", "A trebuit să completez același formular de două ori.",
                   "A trebuit să explic totul de la capăt fiecărui operator.",
                   "Am fost de două ori la magazin ca să rezolv."],
    "effort_pos": ["Totul s-a rezolvat în mai puțin de cinci minute."],
    "churn": ["Nu mai comand de aici niciodată.", "Îmi închid contul.", "De acum cumpăr din altă parte.",
              "Au pierdut un client fidel."],
    "advocacy": ["Recomand cu căldură!", "Sigur mai comand.", "I-am recomandat deja prietenilor.",
                 "De acum e magazinul meu preferat."],
    "neutral_templates": ["Am comandat {item} {day}.", "Am cumpărat {item} pentru {person}.",
                          "^Am ridicat {item} din magazin {day}.", "De data asta am comandat {item}."],
    "neutral_fixed": ["^Am comandat online și am ridicat din magazin.", "~Am plătit cu cardul, livrare la locker.",
                      "Prima mea comandă la Nordwind.", "Am folosit aplicația pentru comandă."],
    "days": ["luni", "marți", "miercuri", "joi", "vineri", "sâmbătă", "săptămâna trecută"],
    "persons": ["fiul meu", "mama", "fiica mea", "tata", "sora mea", "nepotul meu"],
    "items": {
        "Electronics": ["o pereche de căști", "un încărcător", "o boxă portabilă", "o baterie externă"],
        "Home & Kitchen": ["un fierbător electric", "un set de tigăi", "o friteuză cu aer cald", "o lampă de birou"],
        "Fashion": ["o geacă de iarnă", "o pereche de blugi", "o pereche de adidași", "un pulover"],
        "Beauty": ["o cremă de față", "un parfum", "un uscător de păr"],
        "Grocery": ["un kilogram de cafea boabe", "un pachet de ceai verde", "un bax de apă minerală"],
        "Toys": ["un set de construcții", "o păpușă", "un joc de societate"],
        "Sports": ["o saltea de yoga", "o bicicletă", "o pereche de gantere"],
        "Garden": ["un furtun de grădină", "o mașină de tuns iarba", "un set de scaune de grădină"],
    },
}

# ---------------------------------------------------------------------------------------------- Polish
PL = {
    "but": [", ale ", ", ale ", ", jednak "],
    "clauses": {
        "delivery_logistics": ([
            "Paczka przyszła dzień wcześniej, niż obiecywali.",
            "Dostawa była szybka, a kurier zadzwonił wcześniej.",
            "Wszystko było świetnie zapakowane, ani jednej rysy.",
            "Kurier był miły i zostawił paczkę dokładnie tam, gdzie prosił[em|am].",
            "Przesyłka do paczkomatu dotarła już następnego dnia.",
        ], [
            "Paczka spóźniła się o pięć dni.",
            "Karton był zgnieciony, a produkt w środku uszkodzony.",
            "!Kurier oznaczył paczkę jako doręczoną, chociaż nikt nie przyszedł.",
            "!Śledzenie przesyłki nie aktualizuje się od tygodnia.",
            "Kurier zostawił paczkę pod drzwiami w deszczu.",
        ]),
        "customer_support": ([
            "Obsługa klienta załatwiła wszystko w jednej rozmowie.",
            "Konsultantka była cierpliwa i naprawdę znała się na rzeczy.",
            "Odpowiedź na maila dostał[em|am] w niecałą godzinę.",
            "Na czacie rozwiązali mój problem w pięć minut.",
            "Następnego dnia zadzwonili, żeby sprawdzić, czy wszystko w porządku.",
        ], [
            "Nikt nie odpowiedział na moje maile.",
            "Czekał[em|am] na połączenie czterdzieści minut, a potem rozmowa się zerwała.",
            "Konsultant w kółko wklejał tę samą formułkę.",
            "Nikt na infolinii nie wiedział, gdzie jest moje zamówienie.",
            "Obiecali oddzwonić i nigdy tego nie zrobili.",
        ]),
        "staff_behaviour": ([
            "Obsługa w sklepie była miła i pomocna.",
            "Pani przy kasie była bardzo sympatyczna i starannie wszystko zapakowała.",
            "Sprzedawca poświęcił mi dwadzieścia minut, żeby pomóc wybrać odpowiedni model.",
            "Pracownicy byli uprzejmi, mimo że w sklepie był tłum.",
            "Kierownik osobiście przeprosił i naprawił błąd.",
        ], [
            "Obsługa była niegrzeczna i wyraźnie nie chciała pomóc.",
            "Kasjerka cały czas siedziała w telefonie.",
            "Dwóch pracowników rozmawiało ze sobą i ignorowało kolejkę.",
            "Sprzedawca nie miał pojęcia o produktach.",
            "Ochroniarz chodził za mną po sklepie jak za złodziejem.",
        ]),
        "price_value": ([
            "Ceny są uczciwe i zawsze można trafić na dobre promocje.",
            "Świetny stosunek jakości do ceny.",
            "Taniej niż wszędzie, gdzie sprawdzał[em|am].",
            "Rabat w programie lojalnościowym naprawdę robi różnicę.",
            "Jak na tę cenę, jakość jest więcej niż przyzwoita.",
        ], [
            "Zdecydowanie za drogo jak na to, co się dostaje.",
            "Ceny znowu poszły w górę, a jakość nie.",
            "Promocja była fikcyjna, tydzień wcześniej podnieśli cenę.",
            "Dostawa kosztuje prawie tyle, co sam produkt.",
            "Cena na półce była inna niż przy kasie.",
        ]),
        "product_quality": ([
            "Jakość produktu jest świetna.",
            "Działa bez zarzutu i jest porządnie wykonany.",
            "Wygląda dokładnie jak na zdjęciach.",
            "Po pół roku codziennego używania działa jak nowy.",
            "Materiał jest naprawdę dobrej jakości.",
        ], [
            "Zepsuł się po dwóch tygodniach.",
            "Produkt w ogóle nie przypomina tego ze zdjęć.",
            "Tani plastik, wygląda, jakby miał się zaraz rozpaść.",
            "W pudełku brakowało jednej części.",
            "Jakość bardzo spadła w porównaniu z zeszłym rokiem.",
        ]),
        "website_app": ([
            "Aplikacja działa szybko i jest prosta w obsłudze.",
            "Strona jest przejrzysta, a zakupy zajmują minutę.",
            "Wyszukiwarka na stronie faktycznie znajduje to, czego szukam.",
            "Nowa aplikacja jest o wiele wygodniejsza od starej.",
            "Powiadomienia z aplikacji informowały mnie o każdym etapie.",
        ], [
            "Aplikacja ciągle się zawiesza przy płatności.",
            "Strona jest wolna, a wyszukiwarka nic nie znajduje.",
            "Od ostatniej aktualizacji nie mogę się zalogować do aplikacji.",
            "Strona wylogowała mnie trzy razy w trakcie płacenia.",
            "Produkty znikają z koszyka bez powodu.",
        ]),
        "billing_payment": ([
            "Płatność przebiegła szybko i bez problemów.",
            "Płatność BLIK-iem w aplikacji działa bez zarzutu.",
            "Faktura przyszła od razu na maila.",
            "Fajnie, że można rozłożyć płatność na raty bez odsetek.",
            "Rachunek był przejrzysty, bez ukrytych opłat.",
        ], [
            "Pobrali mi pieniądze dwa razy za to samo zamówienie.",
            "Pieniądze zeszły z karty, mimo że zamówienie zostało anulowane.",
            "Na fakturze był błędny adres i nikt nie chciał tego poprawić.",
            "Płatność trzy razy się nie udała, a pieniądze i tak zostały zablokowane na koncie.",
            "Na końcowym rachunku pojawiła się ukryta opłata.",
        ]),
        "returns_refunds": ([
            "Zwrot był prosty, a pieniądze wróciły w trzy dni.",
            "Zwrot w sklepie zajął dwie minuty.",
            "Bez problemu wymienili mi zły rozmiar.",
            "Darmowa etykieta zwrotna bardzo wszystko ułatwiła.",
            "Przyjęli zwrot bez zbędnych pytań.",
        ], [
            "Od miesiąca czekam na zwrot pieniędzy.",
            "Odmówili przyjęcia zwrotu, choć produkt był wadliwy.",
            "Musiał[em|am] zapłacić za odesłanie wadliwego produktu.",
            "Formularz zwrotu na stronie nie działa.",
            "Zamiast zwrotu pieniędzy zaproponowali mi tylko bon.",
        ]),
        "store_environment": ([
            "Sklep jest czysty i dobrze zorganizowany.",
            "W sklepie jest jasno, porządnie i łatwo wszystko znaleźć.",
            "Dużo miejsc parkingowych i krótkie kolejki.",
            "Nowy układ sklepu bardzo ułatwia zakupy.",
            "Nawet w sobotę było otwartych kilka kas.",
        ], [
            "W sklepie było brudno, a półki były w połowie puste.",
            "Otwarta była tylko jedna kasa, a kolejka ogromna.",
            "W przymierzalniach panował kompletny bałagan.",
            "Połowa produktów nie miała cen.",
            "W sklepie było strasznie zimno.",
        ]),
        "sales_ordering": ([
            "Zamawianie było proste, a potwierdzenie przyszło od razu.",
            "^Odbiór osobisty zadziałał idealnie, zamówienie było gotowe w dwie godziny.",
            "Wszystko, co zamówił[em|am], było dostępne.",
            "Bez problemu zmienił[em|am] zamówienie po jego złożeniu.",
            "^Zarezerwował[em|am] produkt online i odebrał[em|am] go tego samego dnia.",
        ], [
            "!Anulowali moje zamówienie bez słowa.",
            "Dostał[em|am] nie ten produkt, który zamawiał[em|am].",
            "Brakowało połowy zamówienia.",
            "!Produkt okazał się niedostępny, chociaż już za niego zapłacił[em|am].",
            "^Zamówienie do odbioru osobistego nie było gotowe, kiedy przyjechał[em|am].",
        ]),
    },
    "effort_neg": ["Musiał[em|am] dzwonić trzy razy.", "Dwa razy musiał[em|am] wypełniać ten sam formularz.",
                   "Każdemu konsultantowi musiał[em|am] tłumaczyć wszystko od nowa.",
                   "Dwa razy jeździł[em|am] do sklepu, żeby to załatwić."],
    "effort_pos": ["Wszystko załatwione w niecałe pięć minut."],
    "churn": ["Nigdy więcej.", "Usuwam konto.", "Od teraz robię zakupy gdzie indziej.",
              "Straciliście stałego klienta."],
    "advocacy": ["Polecam!", "Na pewno zamówię jeszcze raz.", "Polecił[em|am] już znajomym.",
                 "Od teraz to mój ulubiony sklep."],
    "neutral_templates": ["Zamówił[em|am] {item} {day}.", "Kupił[em|am] {item} dla {person}.",
                          "^Odebrał[em|am] {item} w sklepie {day}.", "Tym razem zamówił[em|am] {item}."],
    "neutral_fixed": ["^Zamówienie online z odbiorem w sklepie.", "~Płatność kartą, dostawa do paczkomatu.",
                      "Moje pierwsze zamówienie w Nordwind.", "Zamawiał[em|am] przez aplikację."],
    "days": ["w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę", "w zeszłym tygodniu"],
    "persons": ["syna", "mamy", "córki", "taty", "siostry", "siostrzeńca"],
    "items": {
        "Electronics": ["słuchawki", "ładowarkę", "głośnik bezprzewodowy", "powerbank"],
        "Home & Kitchen": ["czajnik elektryczny", "zestaw patelni", "frytkownicę beztłuszczową", "lampkę biurkową"],
        "Fashion": ["kurtkę zimową", "dżinsy", "buty sportowe", "sweter"],
        "Beauty": ["krem do twarzy", "perfumy", "suszarkę do włosów"],
        "Grocery": ["kawę ziarnistą", "zieloną herbatę", "zgrzewkę wody mineralnej"],
        "Toys": ["zestaw klocków", "lalkę", "grę planszową"],
        "Sports": ["matę do jogi", "rower", "hantle"],
        "Garden": ["wąż ogrodowy", "kosiarkę", "komplet krzeseł ogrodowych"],
    },
}

# --------------------------------------------------------------------------------------------- Russian
RU = {
    "but": [", но ", ", но ", ", однако "],
    "clauses": {
        "delivery_logistics": ([
            "Посылка пришла на день раньше обещанного.",
            "Доставили быстро, курьер заранее позвонил.",
            "Всё было отлично упаковано, ни одной царапины.",
            "Курьер был вежливый и оставил посылку именно там, где я просил[|а].",
            "Заказ доставили на следующий день, как и обещали.",
        ], [
            "Посылка опоздала на пять дней.",
            "Коробка пришла смятой, а товар внутри был повреждён.",
            "!Курьер отметил заказ как доставленный, хотя никто так и не приехал.",
            "!Отслеживание не обновляется уже неделю.",
            "Курьер оставил посылку под дверью прямо под дождём.",
        ]),
        "customer_support": ([
            "В службе поддержки решили всё за один звонок.",
            "Оператор была терпеливой и отлично разбиралась в вопросе.",
            "Ответ на письмо пришёл меньше чем через час.",
            "В чате мне решили проблему за пять минут.",
            "На следующий день перезвонили, чтобы убедиться, что всё в порядке.",
        ], [
            "На мои письма так никто и не ответил.",
            "Сорок минут висел[|а] на линии, а потом звонок сбросился.",
            "Оператор просто копировал один и тот же шаблонный ответ.",
            "На горячей линии никто не знал, где мой заказ.",
            "Обещали перезвонить и так и не перезвонили.",
        ]),
        "staff_behaviour": ([
            "Персонал в магазине вежливый и отзывчивый.",
            "Кассир была очень милой и аккуратно всё упаковала.",
            "Продавец двадцать минут помогал мне выбрать подходящую модель.",
            "Сотрудники были вежливы, хотя в магазине было полно народу.",
            "Администратор лично извинился и исправил ошибку.",
        ], [
            "Персонал грубый и явно не хочет помогать.",
            "Кассирша всё время сидела в телефоне.",
            "Два сотрудника болтали между собой и игнорировали очередь.",
            "Продавец вообще не разбирается в товаре.",
            "Охранник ходил за мной по магазину, как за вором.",
        ]),
        "price_value": ([
            "Цены адекватные, и всегда есть хорошие акции.",
            "Отличное соотношение цены и качества.",
            "Дешевле, чем где-либо ещё, где я смотрел[|а].",
            "Скидка по карте лояльности действительно ощутимая.",
            "За такие деньги качество более чем достойное.",
        ], [
            "Слишком дорого для такого качества.",
            "Цены опять выросли, а качество нет.",
            "Скидка оказалась фальшивой: за неделю до этого цену подняли.",
            "Доставка стоит почти как сам товар.",
            "Цена на полке не совпала с ценой на кассе.",
        ]),
        "product_quality": ([
            "Качество товара отличное.",
            "Работает идеально и выглядит очень надёжно.",
            "Всё точно как на фотографиях.",
            "Полгода пользуюсь каждый день, работает как новый.",
            "Материал приятный и явно качественный.",
        ], [
            "Сломался через две недели.",
            "Товар совсем не похож на фото.",
            "Дешёвый пластик, кажется, вот-вот развалится.",
            "В коробке не хватало одной детали.",
            "Качество сильно упало по сравнению с прошлым годом.",
        ]),
        "website_app": ([
            "Приложение быстрое и удобное.",
            "Сайт понятный, оформить заказ можно за минуту.",
            "Поиск на сайте действительно находит то, что нужно.",
            "Новое приложение гораздо удобнее старого.",
            "Уведомления в приложении сообщали о каждом этапе заказа.",
        ], [
            "Приложение постоянно вылетает при оплате.",
            "Сайт тормозит, а поиск ничего не находит.",
            "После последнего обновления не могу войти в приложение.",
            "Сайт три раза выкинул меня из аккаунта во время оплаты.",
            "Товары пропадают из корзины без всякой причины.",
        ]),
        "billing_payment": ([
            "Оплата прошла быстро и без проблем.",
            "Оплатить картой в приложении было очень просто.",
            "Чек сразу пришёл на почту.",
            "Удобно, что можно оформить рассрочку без переплаты.",
            "Счёт понятный, никаких скрытых комиссий.",
        ], [
            "С меня дважды списали деньги за один и тот же заказ.",
            "Деньги с карты списали, хотя заказ отменили.",
            "В счёте указан неправильный адрес, и никто не хочет его исправить.",
            "Оплата трижды не прошла, а деньги на карте всё равно заблокировали.",
            "В итоговом счёте появилась скрытая комиссия.",
        ]),
        "returns_refunds": ([
            "Вернуть товар было просто, деньги пришли через три дня.",
            "Возврат в магазине занял две минуты.",
            "Без проблем обменяли неподходящий размер.",
            "Бесплатная этикетка для возврата всё очень упростила.",
            "Возврат приняли без лишних вопросов.",
        ], [
            "Уже месяц жду возврата денег.",
            "Отказались принять возврат, хотя товар бракованный.",
            "Пришлось платить за пересылку бракованного товара.",
            "Форма возврата на сайте не работает.",
            "Вместо возврата денег предложили только купон.",
        ]),
        "store_environment": ([
            "В магазине чисто и всё хорошо организовано.",
            "Магазин светлый, аккуратный, в нём легко ориентироваться.",
            "Много парковочных мест и небольшие очереди.",
            "С новой планировкой всё стало легко найти.",
            "Даже в субботу работало достаточно касс.",
        ], [
            "В магазине грязно, а полки наполовину пустые.",
            "Работала только одна касса, очередь огромная.",
            "В примерочных полный бардак.",
            "На половине товаров нет ценников.",
            "В магазине было ужасно холодно.",
        ]),
        "sales_ordering": ([
            "Заказ оформил[|а] легко, подтверждение пришло сразу.",
            "^Самовывоз сработал отлично: заказ был готов через два часа.",
            "Всё, что я заказал[|а], было в наличии.",
            "Изменить заказ после оформления не составило труда.",
            "^Забронировал[|а] товар онлайн и забрал[|а] его в тот же день.",
        ], [
            "!Мой заказ отменили без всякого предупреждения.",
            "Привезли совсем не тот товар, который я заказывал[|а].",
            "Половины заказа не хватало.",
            "!Товара не оказалось в наличии, хотя я уже за него заплатил[|а].",
            "^Когда я приехал[|а], заказ на самовывоз ещё не был готов.",
        ]),
    },
    "effort_neg": ["Пришлось звонить три раза.", "Пришлось дважды заполнять одну и ту же форму.",
                   "Каждому оператору приходилось объяснять всё заново.",
                   "Пришлось дважды ехать в магазин, чтобы всё решить."],
    "effort_pos": ["Всё решили меньше чем за пять минут."],
    "churn": ["Больше никогда.", "Удаляю аккаунт.", "Теперь буду покупать в другом месте.",
              "Вы потеряли постоянного клиента."],
    "advocacy": ["Рекомендую!", "Обязательно закажу ещё.", "Уже посоветовал[|а] друзьям.",
                 "Теперь это мой любимый магазин."],
    "neutral_templates": ["Заказал[|а] {item} {day}.", "Купил[|а] {item} для {person}.",
                          "^Забрал[|а] {item} в магазине {day}.", "В этот раз заказал[|а] {item}."],
    "neutral_fixed": ["^Заказ онлайн, самовывоз из магазина.", "~Оплата картой, доставка в постамат.",
                      "Мой первый заказ в Nordwind.", "Заказывал[|а] через приложение."],
    "days": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "на прошлой неделе"],
    "persons": ["сына", "мамы", "дочки", "папы", "сестры", "племянника"],
    "items": {
        "Electronics": ["наушники", "зарядку", "беспроводную колонку", "пауэрбанк"],
        "Home & Kitchen": ["электрочайник", "набор сковородок", "аэрогриль", "настольную лампу"],
        "Fashion": ["зимнюю куртку", "джинсы", "кроссовки", "свитер"],
        "Beauty": ["крем для лица", "духи", "фен"],
        "Grocery": ["кофе в зёрнах", "зелёный чай", "упаковку минеральной воды"],
        "Toys": ["конструктор", "куклу", "настольную игру"],
        "Sports": ["коврик для йоги", "велосипед", "гантели"],
        "Garden": ["садовый шланг", "газонокосилку", "набор садовых стульев"],
    },
}

# --------------------------------------------------------------------------------------------- Persian
# "_" marks a zero-width non-joiner (U+200C), e.g. می_کنم, بسته_بندی, قیمت_ها.
FA = {
    "but": ["، اما ", "، اما ", "، ولی "],
    "clauses": {
        "delivery_logistics": ([
            "بسته یک روز زودتر از موعد رسید.",
            "ارسال خیلی سریع بود و پیک قبل از آمدن تماس گرفت.",
            "همه چیز خیلی خوب بسته_بندی شده بود، بدون حتی یک خط و خش.",
            "پیک خیلی مؤدب بود و بسته را دقیقاً همان جایی گذاشت که خواسته بودم.",
            "سفارشم فردای همان روز رسید، درست همان_طور که قول داده بودند.",
        ], [
            "بسته پنج روز دیرتر از موعد رسید.",
            "جعبه له شده بود و کالای داخلش آسیب دیده بود.",
            "!پیک سفارش را «تحویل داده شده» ثبت کرد، در حالی که هیچ کس نیامد.",
            "!کد رهگیری یک هفته است به_روز نشده.",
            "بسته_بندی پاره و خیس بود.",
        ]),
        "customer_support": ([
            "پشتیبانی همه چیز را با یک تماس حل کرد.",
            "کارشناس پشتیبانی خیلی صبور و مسلط بود.",
            "کمتر از یک ساعت بعد به ایمیلم جواب دادند.",
            "در چت آنلاین مشکلم در پنج دقیقه حل شد.",
            "فردای آن روز تماس گرفتند تا مطمئن شوند همه چیز درست است.",
        ], [
            "هیچ کس به ایمیل_هایم جواب نداد.",
            "چهل دقیقه پشت خط ماندم و بعد تماس قطع شد.",
            "کارشناس فقط یک جواب تکراری را کپی می_کرد.",
            "هیچ کس در مرکز تماس نمی_دانست سفارشم کجاست.",
            "قول دادند با من تماس بگیرند و هرگز نگرفتند.",
        ]),
        "staff_behaviour": ([
            "کارکنان فروشگاه خوش_برخورد و کمک_کننده بودند.",
            "صندوق_دار خیلی مهربان بود و همه چیز را با دقت بسته_بندی کرد.",
            "فروشنده بیست دقیقه وقت گذاشت تا در انتخاب مدل مناسب کمکم کند.",
            "با اینکه فروشگاه شلوغ بود، کارکنان خیلی مؤدب بودند.",
            "مدیر فروشگاه شخصاً عذرخواهی کرد و مشکل را حل کرد.",
        ], [
            "کارکنان بی_ادب بودند و اصلاً حوصله کمک کردن نداشتند.",
            "صندوق_دار تمام مدت سرش توی گوشی بود.",
            "دو نفر از کارکنان با هم گپ می_زدند و به صف توجهی نمی_کردند.",
            "فروشنده هیچ اطلاعاتی درباره محصولات نداشت.",
            "نگهبان مثل یک دزد در فروشگاه دنبالم راه افتاده بود.",
        ]),
        "price_value": ([
            "قیمت_ها منصفانه است و همیشه تخفیف_های خوبی دارند.",
            "ارزش خرید عالی است.",
            "از همه جاهایی که گشتم ارزان_تر بود.",
            "تخفیف باشگاه مشتریان واقعاً به صرفه است.",
            "با این قیمت، کیفیتش بیشتر از حد انتظار است.",
        ], [
            "برای چیزی که می_گیری خیلی گران است.",
            "قیمت_ها باز هم بالا رفته، بی آنکه کیفیت بهتر شود.",
            "تخفیف الکی بود؛ یک هفته قبلش قیمت را بالا برده بودند.",
            "هزینه ارسال تقریباً به اندازه خود کالاست.",
            "قیمت روی قفسه با قیمت صندوق فرق داشت.",
        ]),
        "product_quality": ([
            "کیفیت محصول عالی است.",
            "بی_نقص کار می_کند و خیلی محکم است.",
            "دقیقاً همان چیزی است که در عکس_ها بود.",
            "بعد از شش ماه استفاده روزانه هنوز مثل روز اول کار می_کند.",
            "جنسش واقعاً باکیفیت است.",
        ], [
            "بعد از دو هفته خراب شد.",
            "محصول اصلاً شبیه عکس_ها نیست.",
            "پلاستیکش بی_کیفیت است و انگار هر لحظه ممکن است بشکند.",
            "یکی از قطعات داخل جعبه نبود.",
            "کیفیت نسبت به پارسال خیلی افت کرده.",
        ]),
        "website_app": ([
            "اپلیکیشن سریع و راحت است.",
            "سایت ساده و واضح است و خرید یک دقیقه طول می_کشد.",
            "جستجوی سایت واقعاً همان چیزی را که می_خواهم پیدا می_کند.",
            "اپ جدید خیلی راحت_تر از قبلی است.",
            "اعلان_های اپ در هر مرحله من را در جریان گذاشت.",
        ], [
            "اپ موقع پرداخت مدام بسته می_شود.",
            "سایت کند است و جستجو هیچ چیزی پیدا نمی_کند.",
            "از آخرین به_روزرسانی دیگر نمی_توانم وارد اپ شوم.",
            "سایت سه بار وسط پرداخت من را از حسابم بیرون انداخت.",
            "کالاها بی_دلیل از سبد خرید حذف می_شوند.",
        ]),
        "billing_payment": ([
            "پرداخت سریع و بی_دردسر انجام شد.",
            "پرداخت با کارت در اپ خیلی راحت بود.",
            "فاکتور بلافاصله به ایمیلم آمد.",
            "خوب است که می_شود قسطی و بدون بهره پرداخت کرد.",
            "صورت_حساب شفاف بود و هیچ هزینه پنهانی نداشت.",
        ], [
            "برای یک سفارش دو بار از حسابم پول کم کردند.",
            "با اینکه سفارش لغو شد، پول از کارتم کسر شد.",
            "آدرس روی فاکتور اشتباه بود و کسی حاضر نشد درستش کند.",
            "پرداخت سه بار ناموفق بود و باز هم پولم روی کارت بلوکه شد.",
            "در صورت_حساب نهایی یک هزینه پنهان اضافه شده بود.",
        ]),
        "returns_refunds": ([
            "مرجوع کردن راحت بود و پولم ظرف سه روز برگشت.",
            "مرجوعی در فروشگاه فقط دو دقیقه طول کشید.",
            "سایز اشتباه را بدون هیچ دردسری عوض کردند.",
            "برچسب رایگان مرجوعی همه چیز را ساده کرد.",
            "کالا را بدون هیچ سؤالی پس گرفتند.",
        ], [
            "یک ماه است منتظر برگشت پولم هستم.",
            "با اینکه کالا معیوب بود، مرجوعی را قبول نکردند.",
            "مجبور شدم هزینه ارسال کالای معیوب را خودم بدهم.",
            "فرم مرجوعی سایت کار نمی_کند.",
            "به جای برگرداندن پول فقط کارت هدیه پیشنهاد دادند.",
        ]),
        "store_environment": ([
            "فروشگاه تمیز و مرتب است.",
            "فروشگاه روشن و منظم است و راحت می_شود همه چیز را پیدا کرد.",
            "جای پارک زیاد است و صف_ها کوتاه.",
            "با چیدمان جدید پیدا کردن اجناس خیلی راحت_تر شده.",
            "حتی آخر هفته هم به اندازه کافی صندوق باز بود.",
        ], [
            "فروشگاه کثیف بود و قفسه_ها نیمه_خالی.",
            "فقط یک صندوق باز بود و صف خیلی طولانی بود.",
            "اتاق_های پرو به_هم_ریخته بود.",
            "نصف اجناس برچسب قیمت نداشتند.",
            "داخل فروشگاه خیلی سرد بود.",
        ]),
        "sales_ordering": ([
            "ثبت سفارش ساده بود و تأییدیه فوراً آمد.",
            "^تحویل حضوری عالی بود و سفارشم دو ساعته آماده شد.",
            "همه چیزهایی که سفارش دادم موجود بود.",
            "تغییر سفارش بعد از ثبت هیچ مشکلی نداشت.",
            "^کالا را آنلاین رزرو کردم و همان روز تحویل گرفتم.",
        ], [
            "!سفارشم را بدون اطلاع لغو کردند.",
            "کالایی که فرستادند با سفارشم فرق داشت.",
            "نصف سفارشم نیامده بود.",
            "!بعد از اینکه پول را پرداخت کردم گفتند کالا تمام شده.",
            "^وقتی برای تحویل حضوری رفتم، سفارشم هنوز آماده نبود.",
        ]),
    },
    "effort_neg": ["سه بار مجبور شدم زنگ بزنم.", "مجبور شدم یک فرم را دو بار پر کنم.",
                   "مجبور شدم ماجرا را برای هر کارشناس از اول تعریف کنم.",
                   "دو بار مجبور شدم به فروشگاه بروم تا مشکل حل شود."],
    "effort_pos": ["همه چیز در کمتر از پنج دقیقه حل شد."],
    "churn": ["دیگر هرگز از اینجا خرید نمی_کنم.", "حسابم را حذف می_کنم.", "از این به بعد از جای دیگری خرید می_کنم.",
              "یک مشتری همیشگی را از دست دادید."],
    "advocacy": ["پیشنهاد می_کنم!", "حتماً باز هم سفارش می_دهم.", "به دوستانم هم معرفی کردم.",
                 "از این به بعد فروشگاه اصلی من همین است."],
    "neutral_templates": ["{day} یک {item} سفارش دادم.", "برای {person} یک {item} خریدم.",
                          "^{item} را از فروشگاه تحویل گرفتم.", "این بار یک {item} سفارش دادم."],
    "neutral_fixed": ["^آنلاین سفارش دادم و از فروشگاه تحویل گرفتم.", "~با کارت پرداخت کردم و با پست ارسال شد.",
                      "اولین خریدم از نوردویند بود.", "این سفارش را با اپ ثبت کردم."],
    "days": ["دوشنبه", "سه_شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "هفته پیش"],
    "persons": ["پسرم", "مادرم", "دخترم", "پدرم", "خواهرم", "برادرزاده_ام"],
    "items": {
        "Electronics": ["هدفون", "شارژر", "اسپیکر بی_سیم", "پاوربانک"],
        "Home & Kitchen": ["کتری برقی", "سرویس تابه", "سرخ_کن بدون روغن", "چراغ مطالعه"],
        "Fashion": ["کاپشن زمستانی", "شلوار جین", "کفش ورزشی", "ژاکت بافتنی"],
        "Beauty": ["کرم صورت", "عطر", "سشوار"],
        "Grocery": ["بسته قهوه", "بسته چای سبز", "باکس آب معدنی"],
        "Toys": ["اسباب_بازی ساختنی", "عروسک", "بازی فکری"],
        "Sports": ["مت یوگا", "دوچرخه", "دمبل"],
        "Garden": ["شلنگ باغچه", "ماشین چمن_زنی", "ست صندلی باغی"],
    },
}

# ------------------------------------------------------------------- minor languages (five touchpoints)
DE = {
    "but": [", aber "],
    "clauses": {
        "delivery_logistics": ([
            "Das Paket kam einen Tag früher als angekündigt.",
            "Die Lieferung war schnell und der Fahrer sehr freundlich.",
            "Alles war super verpackt, nichts beschädigt.",
        ], [
            "Das Paket kam eine Woche zu spät.",
            "Der Karton war völlig zerdrückt.",
            "!Die Sendung gilt als zugestellt, obwohl bei mir nie etwas angekommen ist.",
        ]),
        "customer_support": ([
            "Der Kundenservice hat alles in einem Anruf geklärt.",
            "Die Mitarbeiterin an der Hotline war sehr geduldig.",
            "Auf meine E-Mail kam innerhalb einer Stunde eine hilfreiche Antwort.",
        ], [
            "Der Kundenservice antwortet einfach nicht auf E-Mails.",
            "Ich hing 40 Minuten in der Warteschleife.",
            "Man wird nur mit Textbausteinen abgespeist.",
        ]),
        "product_quality": ([
            "Die Qualität ist wirklich top.",
            "Der Artikel funktioniert einwandfrei und wirkt sehr hochwertig.",
            "Sieht genauso aus wie auf den Fotos.",
        ], [
            "Nach zwei Wochen war der Artikel schon kaputt.",
            "Billiges Plastik, das wirkt alles sehr wackelig.",
            "Im Karton fehlte ein Teil.",
        ]),
        "price_value": ([
            "Preis und Leistung stimmen hier.",
            "Günstiger als überall sonst.",
            "Die Angebote am Wochenende lohnen sich wirklich.",
        ], [
            "Viel zu teuer für diese Qualität.",
            "Die Versandkosten sind eine Frechheit.",
            "Der Preis an der Kasse war höher als am Regal.",
        ]),
        "returns_refunds": ([
            "Die Rücksendung war unkompliziert und das Geld war nach drei Tagen zurück.",
            "Der Umtausch im Laden hat keine zwei Minuten gedauert.",
            "Das kostenlose Rücksendeetikett macht alles einfach.",
        ], [
            "Ich warte seit einem Monat auf meine Erstattung.",
            "Die Rücknahme wurde trotz Defekt abgelehnt.",
            "Statt Geld gab es nur einen Gutschein.",
        ]),
    },
    "effort_neg": ["Ich musste dreimal anrufen."],
    "effort_pos": [],
    "churn": ["Nie wieder.", "Ich kaufe ab jetzt woanders."],
    "advocacy": ["Klare Empfehlung!", "Ich bestelle gerne wieder."],
    "neutral_fixed": ["^Am Montag bestellt, im Laden abgeholt.", "Online bestellt und mit Karte bezahlt.",
                      "Meine erste Bestellung bei Nordwind."],
}

FR = {
    "but": [", mais "],
    "clauses": {
        "delivery_logistics": ([
            "Le colis est arrivé un jour plus tôt que prévu.",
            "Livraison rapide et livreur très aimable.",
            "Tout était parfaitement emballé.",
        ], [
            "Le colis est arrivé avec une semaine de retard.",
            "Le carton était complètement écrasé.",
            "!Le suivi indique « livré » alors que je n'ai rien reçu.",
        ]),
        "customer_support": ([
            "Le service client a tout réglé en un seul appel.",
            "La conseillère a été très patiente et efficace.",
            "J'ai reçu une réponse utile à mon e-mail en moins d'une heure.",
        ], [
            "Le service client ne répond jamais aux e-mails.",
            "J'ai attendu quarante minutes au téléphone pour rien.",
            "On me sert toujours la même réponse toute faite.",
        ]),
        "product_quality": ([
            "La qualité est vraiment au rendez-vous.",
            "L'article fonctionne parfaitement et semble très solide.",
            "Conforme aux photos.",
        ], [
            "L'article est tombé en panne au bout de deux semaines.",
            "Du plastique bas de gamme, tout semble fragile.",
            "Il manquait une pièce dans le carton.",
        ]),
        "price_value": ([
            "Très bon rapport qualité-prix.",
            "Moins cher que partout ailleurs.",
            "Les promotions du week-end valent vraiment le coup.",
        ], [
            "Beaucoup trop cher pour cette qualité.",
            "Les frais de livraison sont exorbitants.",
            "Le prix en caisse était plus élevé que celui affiché en rayon.",
        ]),
        "returns_refunds": ([
            "Le retour a été simple et j'ai été remboursé[|e] en trois jours.",
            "L'échange en magasin a pris deux minutes.",
            "L'étiquette de retour gratuite simplifie tout.",
        ], [
            "J'attends mon remboursement depuis un mois.",
            "Ils ont refusé le retour alors que l'article était défectueux.",
            "On m'a proposé un avoir au lieu d'un remboursement.",
        ]),
    },
    "effort_neg": ["J'ai dû appeler trois fois."],
    "effort_pos": [],
    "churn": ["Plus jamais.", "Je vais voir ailleurs désormais."],
    "advocacy": ["Je recommande !", "Je commanderai à nouveau sans hésiter."],
    "neutral_fixed": ["^Commande passée lundi, retirée en magasin.", "Première commande chez Nordwind.",
                      "~Payé par carte, livraison en point relais."],
}

ES = {
    "but": [", pero "],
    "clauses": {
        "delivery_logistics": ([
            "El paquete llegó un día antes de lo previsto.",
            "Entrega rápida y el repartidor fue muy amable.",
            "Todo venía perfectamente embalado.",
        ], [
            "El paquete llegó con una semana de retraso.",
            "La caja llegó completamente aplastada.",
            "!El seguimiento dice «entregado» y no he recibido nada.",
        ]),
        "customer_support": ([
            "Atención al cliente lo solucionó todo en una sola llamada.",
            "La agente fue muy paciente y resolutiva.",
            "Me respondieron al correo en menos de una hora.",
        ], [
            "Atención al cliente nunca responde a los correos.",
            "Estuve cuarenta minutos esperando al teléfono para nada.",
            "Solo te dan respuestas automáticas.",
        ]),
        "product_quality": ([
            "La calidad es excelente.",
            "Funciona perfectamente y se ve muy resistente.",
            "Es exactamente como en las fotos.",
        ], [
            "Se rompió a las dos semanas.",
            "Plástico barato, parece que se va a romper en cualquier momento.",
            "Faltaba una pieza en la caja.",
        ]),
        "price_value": ([
            "Muy buena relación calidad-precio.",
            "Más barato que en cualquier otra tienda.",
            "Las ofertas del fin de semana merecen la pena.",
        ], [
            "Demasiado caro para la calidad que tiene.",
            "Los gastos de envío son abusivos.",
            "En caja me cobraron más de lo que ponía en la estantería.",
        ]),
        "returns_refunds": ([
            "La devolución fue sencilla y me reembolsaron en tres días.",
            "El cambio en tienda tardó dos minutos.",
            "La etiqueta de devolución gratuita lo hace todo muy fácil.",
        ], [
            "Llevo un mes esperando el reembolso.",
            "Rechazaron la devolución aunque el producto estaba defectuoso.",
            "Me ofrecieron un vale en lugar de devolverme el dinero.",
        ]),
    },
    "effort_neg": ["Tuve que llamar tres veces."],
    "effort_pos": [],
    "churn": ["Nunca más.", "No vuelvo a comprar aquí."],
    "advocacy": ["¡Lo recomiendo!", "Volveré a comprar seguro."],
    "neutral_fixed": ["^Pedido hecho el lunes y recogido en tienda.", "Primer pedido en Nordwind.",
                      "~Pagué con tarjeta y lo recogí en un punto de entrega."],
}

IT = {
    "but": [", ma "],
    "clauses": {
        "delivery_logistics": ([
            "Il pacco è arrivato un giorno prima del previsto.",
            "Consegna veloce e corriere gentilissimo.",
            "Tutto era imballato alla perfezione.",
        ], [
            "Il pacco è arrivato con una settimana di ritardo.",
            "Lo scatolone è arrivato completamente schiacciato.",
            "!Il tracciamento risulta «consegnato» da giorni e io non ho ricevuto nulla.",
        ]),
        "customer_support": ([
            "Il servizio clienti ha risolto tutto con una sola telefonata.",
            "L'operatrice è stata molto paziente e preparata.",
            "Mi hanno risposto alla mail in meno di un'ora.",
        ], [
            "Il servizio clienti non risponde mai alle mail.",
            "Sono rimast[o|a] quaranta minuti in attesa al telefono.",
            "Rispondono solo con messaggi preimpostati.",
        ]),
        "product_quality": ([
            "La qualità è ottima.",
            "Funziona perfettamente e sembra molto robusto.",
            "È identico alle foto.",
        ], [
            "Si è rotto dopo due settimane.",
            "Plastica scadente, sembra che possa rompersi da un momento all'altro.",
            "Nella scatola mancava un pezzo.",
        ]),
        "price_value": ([
            "Ottimo rapporto qualità-prezzo.",
            "Più economico che altrove.",
            "Le offerte del weekend sono davvero convenienti.",
        ], [
            "Troppo caro per quello che offre.",
            "Le spese di spedizione sono esagerate.",
            "Alla cassa il prezzo era più alto di quello sullo scaffale.",
        ]),
        "returns_refunds": ([
            "Il reso è stato semplice e il rimborso è arrivato in tre giorni.",
            "Il cambio in negozio ha richiesto due minuti.",
            "L'etichetta di reso gratuita rende tutto facilissimo.",
        ], [
            "Aspetto il rimborso da un mese.",
            "Hanno rifiutato il reso anche se il prodotto era difettoso.",
            "Mi hanno offerto solo un buono invece del rimborso.",
        ]),
    },
    "effort_neg": ["Ho dovuto chiamare tre volte."],
    "effort_pos": [],
    "churn": ["Mai più.", "Non comprerò più qui."],
    "advocacy": ["Consigliatissimo!", "Ordinerò di nuovo sicuramente."],
    "neutral_fixed": ["^Ordinato lunedì, ritirato in negozio.", "Primo ordine da Nordwind.",
                      "~Pagato con carta, consegna in un punto di ritiro."],
}

UK = {
    "but": [", але "],
    "clauses": {
        "delivery_logistics": ([
            "Посилка прийшла на день раніше, ніж обіцяли.",
            "Доставка швидка, кур’єр дуже ввічливий.",
            "Усе було чудово запаковано.",
        ], [
            "Посилка запізнилася на тиждень.",
            "Коробка приїхала повністю зім’ята.",
            "!Відстеження показує «доставлено», хоча я нічого не отрима[в|ла].",
        ]),
        "customer_support": ([
            "Служба підтримки все вирішила за один дзвінок.",
            "Операторка була дуже терплячою та компетентною.",
            "На мій лист відповіли менш ніж за годину.",
        ], [
            "Служба підтримки взагалі не відповідає на листи.",
            "Сорок хвилин чека[в|ла] на лінії, і все марно.",
            "Відповідають лише шаблонними фразами.",
        ]),
        "product_quality": ([
            "Якість просто чудова.",
            "Працює ідеально і виглядає дуже надійно.",
            "Усе точно як на фото.",
        ], [
            "Зламалося через два тижні.",
            "Дешевий пластик, здається, от-от розвалиться.",
            "У коробці бракувало однієї деталі.",
        ]),
        "price_value": ([
            "Чудове співвідношення ціни та якості.",
            "Дешевше, ніж деінде.",
            "Знижки на вихідних справді вигідні.",
        ], [
            "Занадто дорого як на таку якість.",
            "Доставка коштує шалених грошей.",
            "На касі ціна була вищою, ніж на полиці.",
        ]),
        "returns_refunds": ([
            "Повернення було простим, гроші прийшли за три дні.",
            "Обмін у магазині зайняв дві хвилини.",
            "Безкоштовна етикетка для повернення все спрощує.",
        ], [
            "Уже місяць чекаю на повернення грошей.",
            "Відмовилися приймати повернення, хоча товар бракований.",
            "Замість грошей запропонували лише купон.",
        ]),
    },
    "effort_neg": ["Довелося дзвонити тричі."],
    "effort_pos": [],
    "churn": ["Більше ніколи.", "Більше тут не купуватиму."],
    "advocacy": ["Рекомендую!", "Обов’язково замовлю ще."],
    "neutral_fixed": ["^Замовля[в|ла] у понеділок, забра[в|ла] в магазині.", "Перше замовлення в Nordwind.",
                      "~Оплати[в|ла] карткою, доставка в поштомат."],
}

TR = {
    "but": [", ama "],
    "clauses": {
        "delivery_logistics": ([
            "Kargo söylenenden bir gün önce geldi.",
            "Teslimat hızlıydı, kurye de çok kibardı.",
            "Her şey özenle paketlenmişti.",
        ], [
            "Kargo bir hafta gecikti.",
            "Koli ezilmiş bir şekilde geldi.",
            "!Kargo takipte teslim edildi görünüyor, elime hiçbir şey ulaşmadı.",
        ]),
        "customer_support": ([
            "Müşteri hizmetleri her şeyi tek bir aramada çözdü.",
            "Temsilci çok sabırlı ve bilgiliydi.",
            "E-postama bir saat içinde yanıt verdiler.",
        ], [
            "Müşteri hizmetleri e-postalara hiç dönüş yapmıyor.",
            "Kırk dakika telefonda bekledim, sonuç yok.",
            "Hep aynı hazır cevapları veriyorlar.",
        ]),
        "product_quality": ([
            "Ürünün kalitesi harika.",
            "Sorunsuz çalışıyor ve çok sağlam duruyor.",
            "Fotoğraftakinin aynısı.",
        ], [
            "İki hafta sonra bozuldu.",
            "Ucuz plastik, her an kırılacak gibi duruyor.",
            "Kutudan bir parça eksik çıktı.",
        ]),
        "price_value": ([
            "Fiyat-performans açısından çok iyi.",
            "Baktığım her yerden daha ucuz.",
            "Hafta sonu indirimleri gerçekten iyi.",
        ], [
            "Bu kalite için fazla pahalı.",
            "Kargo ücreti çok fahiş.",
            "Kasadaki fiyat raftakinden yüksekti.",
        ]),
        "returns_refunds": ([
            "İade çok kolaydı, param üç günde yattı.",
            "Mağazada değişim iki dakika sürdü.",
            "Ücretsiz iade etiketi işi çok kolaylaştırıyor.",
        ], [
            "Bir aydır paramın iadesini bekliyorum.",
            "Ürün arızalı olmasına rağmen iadeyi kabul etmediler.",
            "Para iadesi yerine sadece hediye çeki teklif ettiler.",
        ]),
    },
    "effort_neg": ["Üç kez aramak zorunda kaldım."],
    "effort_pos": [],
    "churn": ["Bir daha asla.", "Bir daha buradan alışveriş yapmam."],
    "advocacy": ["Herkese tavsiye ederim!", "Kesinlikle tekrar sipariş vereceğim."],
    "neutral_fixed": ["^Pazartesi sipariş verdim, mağazadan teslim aldım.", "Nordwind'den ilk siparişim.",
                      "~Kartla ödedim, paket teslimat noktasına geldi."],
}

BANKS = {"en": EN, "ro": RO, "pl": PL, "ru": RU, "fa": FA, "de": DE, "fr": FR, "es": ES, "uk": UK, "it": IT, "tr": TR}
MAJOR = ("en", "ro", "pl", "ru", "fa")
GENDERED = ("pl", "ru", "uk", "fr", "it")

# ------------------------------------------------------------- hand-written messy texts (lang, score)
# score: -1 clearly negative ... +1 clearly positive; it drives the star rating of the row.
TYPO_TEXTS = [
    ("en", -1.0, "The delivry was realy late and noone from custmer service bothered to anwser."),
    ("en", 1.0, "Grate product, fast shiping, would by again!"),
    ("en", -0.6, "ordered a jacket, got the wrong size, retrun took forever"),
    ("ro", -0.8, "Produsu e ok dar livrarea a durat foarte mult si nimeni nu raspunde la telfon."),
    ("pl", -0.4, "Paczka dotarła szybko ale produkt uszkodzony, zwrot trwał wieki. Nie polecm."),
    ("ru", -1.0, "Заказ пришол через две недели, курьер хамил, больше не закажу."),
    ("de", -1.0, "Liferung hat ewig gedauert und der Kundenservise antwortet nie."),
]
NEWLINE_QUOTE_TEXTS = [
    ("en", -1.0, ('Ordered the "premium" kettle, got the basic one.\nCalled support, they said "not our problem".\n'
                  'Never again.')),
    ("en", 0.0, 'Good:\n- fast delivery\n- fair price, "as advertised"\nBad:\n- the app, again, logged me out'),
    ("ro", -0.3, ('Comanda a venit la timp.\nProdusul e "ca nou", dar cutia era ruptă, iar curierul a zis '
                  '"nu e treaba mea".')),
    ("pl", -1.0, 'Zamówienie nr 4471,\n"ekspresowa dostawa" trwała 6 dni.\nNie polecam.'),
    ("ru", 0.2, ('Заказ пришёл вовремя, упаковка целая.\nНо "подарочная" коробка оказалась самой обычной, '
                 'без ленты.')),
]
MISSING_SPACE_TEXTS = [
    ("en", 1.0, "Great product.Fast delivery!"),
    ("en", -1.0, "Terrible service.Never ordering again.The app is a joke."),
    ("ro", 1.0, "Produs foarte bun.Livrare rapidă!"),
    ("pl", 1.0, "Super produkt.Szybka dostawa,polecam!"),
    ("ru", 1.0, "Всё отлично.Доставка быстрая!"),
]
# the source of the first mojibake row (a UTF-8 text later decoded as cp1252: "Ã®ntÃ¢rziat")
MOJIBAKE_SOURCE = ("ro", -1.0, "Coletul a întârziat o săptămână și nimeni nu mi-a răspuns la telefon.")
RANT = ("I have been shopping at Nordwind for six years and this was by far the worst experience I've had. "
        "The parcel was a week late, the box was crushed, customer service kept me on hold for an hour and "
        "my refund STILL hasn't arrived. ")
EMOJI_POS = ["😍", "👍", "🙂", "🔥", "💯", "🥰"]
EMOJI_NEG = ["😡", "👎", "🤬", "😤", "🙄", "😞"]

# ----------------------------------------------------------------------- support transcripts (by hand)
EN_CHAT = """\
[10:02] Agent: Hi, thanks for contacting Nordwind Market, this is Daniel. How can I help you today?
[10:03] Customer: My order was supposed to arrive last Friday. It's Tuesday now and the tracking still says "in transit". This is ridiculous.
[10:03] Agent: I'm really sorry about that. Could you give me your order number so I can check?
[10:04] Customer: NW-58213. And please don't tell me to wait another three days, that's what I heard on Saturday.
[10:06] Agent: Thanks. I can see the parcel got stuck at the courier's depot after we switched carriers last month. That shouldn't have happened.
[10:07] Customer: So what now? I needed that kettle for my mum's birthday.
[10:08] Agent: I've just sent a replacement by express delivery, it will be with you tomorrow before noon. If the original parcel turns up, you can simply refuse it.
[10:09] Customer: OK, tomorrow works.
[10:09] Agent: I've also refunded the delivery fee and added a €10 voucher to your account for the trouble.
[10:10] Customer: That's fair, thank you Daniel. Sorry for snapping earlier.
[10:10] Agent: No problem at all, I'd be annoyed too. Is there anything else I can help with?
[10:11] Customer: No, that's all. Thanks for sorting it out so quickly.
"""

PL_CHAT = """\
[14:21] Konsultant: Dzień dobry, z tej strony Marta z Nordwind Market. W czym mogę pomóc?
[14:22] Klient: Dzień dobry, zapłaciłem BLIK-iem za zamówienie i pieniądze zeszły mi z konta dwa razy. 389 zł podwójnie, to nie są małe pieniądze.
[14:22] Konsultant: Rozumiem, to na pewno nieprzyjemna sytuacja. Proszę podać numer zamówienia.
[14:23] Klient: NW-60477.
[14:25] Konsultant: Dziękuję. Widzę dwie płatności: system nie potwierdził pierwszej na czas, więc aplikacja poprosiła o ponowną płatność. Druga transakcja zostanie zwrócona automatycznie.
[14:26] Klient: Automatycznie, czyli kiedy? Już raz czekałem na zwrot trzy tygodnie.
[14:27] Konsultant: Zleciłam zwrot ręcznie w tej chwili, pieniądze powinny wrócić na konto w ciągu 1–2 dni roboczych. Wyślę też potwierdzenie mailem.
[14:28] Klient: Dobrze, mail już przyszedł.
[14:28] Konsultant: Świetnie. Zgłosiłam też błąd w aplikacji naszemu zespołowi technicznemu.
[14:29] Klient: Dziękuję, szybko poszło. Miłego dnia!
"""

RU_CHAT = """\
[18:40] Оператор: Добрый вечер! Служба поддержки Nordwind Market, меня зовут Алексей. Чем могу помочь?
[18:41] Клиент: Мне привезли телевизор с трещиной на экране. Курьер уехал раньше, чем я успел открыть коробку.
[18:42] Оператор: Очень жаль это слышать. Подскажите, пожалуйста, номер заказа и пришлите фото повреждения.
[18:44] Клиент: NW-61930. Фото отправил. Я хочу получить новый телевизор сегодня же.
[18:46] Оператор: Спасибо, фото получил. К сожалению, по правилам курьерская служба сначала должна забрать повреждённый товар и составить акт, это занимает до пяти рабочих дней.
[18:47] Клиент: Пять дней? Я заплатил почти девятьсот евро и должен ждать неделю из-за вашего курьера?
[18:47] Оператор: Понимаю ваше недовольство. Я могу оформить заявку с высоким приоритетом.
[18:48] Клиент: Мне не нужна заявка. Я хочу поговорить с вашим руководителем.
[18:49] Оператор: Хорошо, перевожу вас на старшего смены, пожалуйста, оставайтесь на линии.
[18:53] Оператор: Здравствуйте, это Ирина, старший специалист. Я ознакомилась с ситуацией. Мы можем привезти новый телевизор завтра и в тот же приезд забрать повреждённый.
[18:54] Клиент: Завтра — это уже другой разговор. Но осадок, конечно, остался.
[18:55] Оператор: Понимаю и ещё раз приношу извинения. Подтверждение доставки придёт вам по SMS в течение часа.
"""

FA_CHAT = """\
[11:15] اپراتور: سلام، وقت بخیر. با پشتیبانی نوردویند مارکت صحبت می_کنید، من سارا هستم. چطور می_توانم کمکتان کنم؟
[11:16] مشتری: سلام. کاپشنی که سفارش داده بودم دو سایز کوچک_تر آمده. این دومین بار است که این اتفاق می_افتد و واقعاً عصبانی_ام.
[11:17] اپراتور: خیلی متأسفم، حق دارید ناراحت باشید. لطفاً شماره سفارش را بفرمایید.
[11:18] مشتری: NW-57102
[11:20] اپراتور: ممنون. بررسی کردم؛ متأسفانه در انبار برچسب سایز اشتباه روی بسته زده شده بود.
[11:21] مشتری: خب الان باید چه کار کنم؟ وقت ندارم دوباره بروم اداره پست.
[11:22] اپراتور: لازم نیست جایی بروید. پیک فردا کاپشن با سایز درست را می_آورد و همان موقع قبلی را تحویل می_گیرد. هزینه_ای هم ندارد.
[11:23] مشتری: عالی شد، این خیلی بهتر است.
[11:24] اپراتور: یک کد تخفیف ۱۵ درصدی هم برای خرید بعدی_تان به ایمیلتان فرستادم.
[11:25] مشتری: دستتان درد نکند، خیلی ممنون از پیگیری_تان.
"""

RO_CHAT = [
    {"speaker": "agent", "time": "09:30",
     "text": "Bună ziua! Sunteți în legătură cu Nordwind Market, mă numesc Ioana. Cu ce vă pot ajuta?"},
    {"speaker": "customer", "time": "09:31",
     "text": "Bună ziua. Am returnat o geacă acum trei săptămâni și încă nu mi-au venit banii înapoi."},
    {"speaker": "agent", "time": "09:32",
     "text": "Îmi pare rău pentru întârziere. Îmi puteți spune numărul comenzii?"},
    {"speaker": "customer", "time": "09:33",
     "text": "NW-55820. V-am mai scris de două ori pe e-mail și nu mi-a răspuns nimeni."},
    {"speaker": "agent", "time": "09:35",
     "text": "Văd returul în sistem. Produsul a ajuns în depozit, dar rambursarea așteaptă încă verificarea de calitate."},
    {"speaker": "customer", "time": "09:36",
     "text": "Trei săptămâni pentru o verificare? Pe site scrie că durează maximum 5 zile lucrătoare."},
    {"speaker": "agent", "time": "09:37",
     "text": "Aveți dreptate, termenul a fost depășit. Marchez solicitarea ca urgentă, iar banii ar trebui să ajungă în 3–5 zile lucrătoare."},
    {"speaker": "customer", "time": "09:38",
     "text": "Mi s-a mai promis asta o dată. Sincer, nu mai am încredere."},
    {"speaker": "agent", "time": "09:39",
     "text": "Înțeleg. Vă pot oferi și un voucher de 50 de lei pentru neplăcerile create."},
    {"speaker": "customer", "time": "09:40",
     "text": "Nu vreau voucher, vreau banii mei. Și vă rog să-mi închideți contul după ce primesc rambursarea."},
    {"speaker": "agent", "time": "09:41",
     "text": "Am notat cererea de închidere a contului. Regret că vă pierdem ca client."},
]

# transcripts.csv: (conversation_id, speaker, time, text)
CSV_CHATS = [
    ("C-EN-0007", "agent", "2026-02-03T16:02:10",
     "Good afternoon, Nordwind Market support, you're speaking with Priya. How can I help?"),
    ("C-EN-0007", "customer", "2026-02-03T16:02:55",
     "I've been charged a €4.99 \"service fee\" on every order since January and nobody ever told me about it."),
    ("C-EN-0007", "agent", "2026-02-03T16:03:40",
     ("Thanks for raising this. Since January we've added a small service fee on orders under €30. It's shown at "
      "checkout before you pay.")),
    ("C-EN-0007", "customer", "2026-02-03T16:04:22",
     "Shown where? I've been a VIP customer for five years and I never agreed to any fee."),
    ("C-EN-0007", "agent", "2026-02-03T16:05:01",
     "I understand. I can see your VIP status, but unfortunately the fee applies to all accounts."),
    ("C-EN-0007", "customer", "2026-02-03T16:05:30", "That's not good enough. I want to speak to your manager."),
    ("C-EN-0007", "agent", "2026-02-03T16:05:48", "Of course. Please hold while I transfer you."),
    ("C-EN-0007", "agent", "2026-02-03T16:09:12",
     ("Hello, this is Mark, the shift supervisor. I've read the notes. I can refund the fees from your last three "
      "orders as a goodwill gesture.")),
    ("C-EN-0007", "customer", "2026-02-03T16:09:50", "And the orders before that? And all the next ones?"),
    ("C-EN-0007", "agent", "2026-02-03T16:10:35",
     "I'm afraid I can only go back three orders, and the fee will stay for small orders going forward."),
    ("C-EN-0007", "customer", "2026-02-03T16:11:02", "Then I'm done. Please cancel my account."),
    ("C-EN-0007", "agent", "2026-02-03T16:11:40",
     "I'm sorry to hear that. I've started the account closure; you'll get a confirmation email within 24 hours."),
    ("C-RO-0012", "customer", "2026-05-22T19:14:03",
     ("Bună seara. Am venit la magazinul din Cluj să ridic comanda și mi s-a spus că nu e gata, deși am primit SMS "
      "că mă așteaptă. Am pierdut o oră degeaba!")),
    ("C-RO-0012", "agent", "2026-05-22T19:14:41",
     "Bună seara, îmi pare foarte rău. Îmi spuneți, vă rog, numărul comenzii?"),
    ("C-RO-0012", "customer", "2026-05-22T19:15:02", "NW-62214."),
    ("C-RO-0012", "agent", "2026-05-22T19:16:30",
     ("Mulțumesc. Văd că SMS-ul a plecat din greșeală înainte ca produsele să fie scanate în magazin. Verific acum "
      "cu colegii de acolo.")),
    ("C-RO-0012", "customer", "2026-05-22T19:16:55", "Sper să nu mai dureze încă o oră."),
    ("C-RO-0012", "agent", "2026-05-22T19:19:10",
     ("Colegii au găsit comanda, e pregătită la biroul de ridicare. Puteți merge direct acolo, fără să mai stați la "
      "coadă.")),
    ("C-RO-0012", "customer", "2026-05-22T19:23:47", "Bine, am luat-o. Măcar s-a rezolvat repede."),
    ("C-RO-0012", "agent", "2026-05-22T19:24:15",
     "Vă mai ofer transport gratuit la următoarea comandă, pentru neplăcerea creată."),
    ("C-RO-0012", "customer", "2026-05-22T19:24:40", "Mersi, apreciez. O seară bună!"),
    ("C-RO-0012", "agent", "2026-05-22T19:24:58", "O seară bună și dumneavoastră!"),
]

# =========================================================================================== machinery
ZWNJ = "\u200c"


def _fa_fix(s: str) -> str:
    """Persian spelling: ZWNJ for the '_' marker, Persian yeh/kaf instead of the Arabic letters."""
    return s.replace("_", ZWNJ).replace("\u064a", "\u06cc").replace("\u0643", "\u06a9")


def _map_strings(obj, fn):
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, dict):
        return {k: _map_strings(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map_strings(v, fn) for v in obj)
    return obj


FA = _map_strings(FA, _fa_fix)
BANKS["fa"] = FA
FA_CHAT = _fa_fix(FA_CHAT)

_GENDER_RE = re.compile(r"\[([^\[\]|]*)\|([^\[\]]*)\]")


def _gender(text: str, gender: str) -> str:
    return _GENDER_RE.sub(lambda m: m.group(1) if gender == "m" else m.group(2), text)


_DE_LOWER = {"das", "die", "der", "den", "dem", "ein", "eine", "alles", "ich", "man", "nach", "im", "viel",
             "sieht", "günstiger", "billiges", "statt", "auf", "laut"}
_KEEP_CASE = {"I", "Nordwind", "BLIK", "PayPal", "SMS"}


def _decap(s: str, lang: str) -> str:
    """Lower-case the first letter of a sentence that continues another one (not 'I', names, German nouns)."""
    if not s or lang == "fa":
        return s
    first = re.split(r"[\s,.!?;:]", s, maxsplit=1)[0]
    if lang == "en" and (first == "I" or first.startswith("I'")):
        return s
    if first in _KEEP_CASE or first[1:2].isupper():
        return s
    if lang == "de" and first.lower() not in _DE_LOWER:
        return s
    c = s[0]
    low = {"I": "ı", "İ": "i"}.get(c, c.lower()) if lang == "tr" else c.lower()
    return low + s[1:]


def _join_but(a: str, b: str, lang: str, rng: random.Random) -> str:
    return a.rstrip(".!") + rng.choice(BANKS[lang]["but"]) + _decap(b, lang)


def _months() -> list[tuple[int, int]]:
    return [(y, m) for y in (2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 10)]


def _month_weight(k: int, ym: tuple[int, int]) -> float:
    w = 1.0 + 0.025 * k  # the business grows
    return w * {11: 1.5, 12: 1.7, 1: 1.15}.get(ym[1], 1.0)


PEAK = {(2025, 11), (2025, 12)}                      # peak season: the courier network is overloaded
CARRIER_SWITCH = {(2026, 6), (2026, 7), (2026, 8)}  # new delivery partner: late and lost parcels
APP_RELEASE = {(2026, 3), (2026, 4)}                 # app 5.0: crashes at checkout, log-in problems
PRICE_RISE = (2026, 1)                               # prices and a small-order service fee go up

BASE_NEG = {"delivery_logistics": 0.33, "customer_support": 0.5, "staff_behaviour": 0.3, "price_value": 0.38,
            "product_quality": 0.3, "website_app": 0.33, "billing_payment": 0.42, "returns_refunds": 0.42,
            "store_environment": 0.28, "sales_ordering": 0.35}
BASE_FREQ = {"delivery_logistics": 18, "customer_support": 12, "staff_behaviour": 5, "price_value": 10,
             "product_quality": 16, "website_app": 8, "billing_payment": 6, "returns_refunds": 8,
             "store_environment": 3, "sales_ordering": 8}
CHANNEL_FACTOR = {
    "store": {"staff_behaviour": 5.0, "store_environment": 7.0, "delivery_logistics": 0.2, "website_app": 0.15,
              "customer_support": 0.5, "sales_ordering": 0.7},
    "app": {"website_app": 2.5, "staff_behaviour": 0.1, "store_environment": 0.1},
    "web": {"website_app": 1.6, "staff_behaviour": 0.1, "store_environment": 0.1},
    "phone": {"customer_support": 3.0, "staff_behaviour": 0.2, "store_environment": 0.1},
}


def _neg_prob(tp: str, d: date, channel: str, region: str, tier: str) -> float:
    ym = (d.year, d.month)
    k = (d.year - 2025) * 12 + d.month - 1
    p = BASE_NEG[tp]
    if tp == "delivery_logistics" and ym in PEAK:
        p += 0.30
    elif tp == "delivery_logistics" and ym in CARRIER_SWITCH:
        p += 0.38
    elif tp == "website_app" and ym in APP_RELEASE:
        p += 0.40
    elif tp == "price_value" and ym >= PRICE_RISE:
        p += 0.15
    elif tp == "customer_support":  # a new support team: complaints fall steadily
        p = 0.62 - 0.32 * k / 21
    if region == "East" and channel == "store" and tp in ("staff_behaviour", "store_environment"):
        p += 0.25
    p += {"new": 0.05, "regular": 0.0, "vip": -0.08}[tier]
    return min(0.95, max(0.05, p))


def _tp_weights(lang: str, d: date, channel: str) -> tuple[list[str], list[float]]:
    ym = (d.year, d.month)
    tps = TOUCHPOINTS if lang in MAJOR else MINOR_TOUCHPOINTS
    weights = []
    for tp in tps:
        w = BASE_FREQ[tp] * CHANNEL_FACTOR[channel].get(tp, 1.0)
        if tp == "delivery_logistics" and (ym in PEAK or ym in CARRIER_SWITCH):
            w *= 1.8
        if tp == "website_app" and ym in APP_RELEASE:
            w *= 2.5
        if tp == "price_value" and PRICE_RISE <= ym <= (2026, 2):
            w *= 1.6
        weights.append(w)
    return list(tps), weights


def _sample_weighted(rng: random.Random, items: list[str], weights: list[float], k: int) -> list[str]:
    items, weights, out = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        out.append(items.pop(i))
        weights.pop(i)
    return out


def _pick(rng: random.Random, options: list[str], ctx: dict) -> str:
    """Choose a sentence that fits the review's context (pickup ^ vs home delivery ~) and update the context."""
    clash = {"^": "~", "~": "^"}.get(ctx["place"] or "", "")
    fitting = [o for o in options if not (clash and o.startswith(clash))] or list(options)
    text = rng.choice(fitting)
    if text[:1] in "^~":
        ctx["place"] = text[0]
        text = text[1:]
    elif text[:1] == "!":
        ctx["no_item"] = True
        text = text[1:]
    return text


def _neutral_sentence(rng: random.Random, bank: dict, category: str, ctx: dict) -> str:
    if "neutral_templates" not in bank:
        return _pick(rng, bank["neutral_fixed"], ctx)
    return _pick(rng, bank["neutral_templates"], ctx).format(
        item=rng.choice(bank["items"][category]), day=rng.choice(bank["days"]), person=rng.choice(bank["persons"]))


def _compose(rng: random.Random, lang: str, d: date, channel: str, region: str, tier: str, category: str,
             gender: str, showcase: bool = False) -> dict | None:
    """One review, or None when the drawn clauses contradict each other (the caller draws again)."""
    bank = BANKS[lang]
    ctx = {"place": None, "no_item": False}
    if not showcase and rng.random() < 0.06:  # neutral, factual review
        text = _neutral_sentence(rng, bank, category, ctx)
        if rng.random() < 0.4:
            extra = _pick(rng, bank["neutral_fixed"], ctx)
            if extra != text:
                text += " " + extra
        return {"text": _gender(text, gender), "pol": "neutral", "tps": [], "score": 0.0, "closing": None}

    n = rng.choices([1, 2, 3], weights=[45, 40, 15] if not showcase else [50, 50, 0])[0]
    tps = _sample_weighted(rng, *_tp_weights(lang, d, channel), n)
    n = len(tps)
    overall = "neg" if rng.random() < _neg_prob(tps[0], d, channel, region, tier) else "pos"
    pols = [overall] * n
    j = None
    if n >= 2 and rng.random() < 0.45:  # mixed: one clause flips and is joined with "but"
        j = rng.randrange(1, n)
        pols[j] = "pos" if overall == "neg" else "neg"
    if "delivery_logistics" in tps:
        ctx["place"] = "~"
    clauses = [_pick(rng, bank["clauses"][tp][0 if pol == "pos" else 1], ctx) for tp, pol in zip(tps, pols)]
    said = set(zip(tps, pols))
    if ctx["no_item"] and (set(tps) & {"product_quality", "returns_refunds"} or ("delivery_logistics", "pos") in said):
        return None
    sentences, i = [], 0
    while i < n:
        if j is not None and i == j - 1:
            sentences.append(_join_but(clauses[i], clauses[j], lang, rng))
            i += 2
        else:
            sentences.append(clauses[i])
            i += 1
    contrib = [(1.0 if pol == "pos" else -1.0, 1.5 if idx == j else 1.0) for idx, pol in enumerate(pols)]

    if lang in MAJOR and rng.random() < 0.14:
        sentences.insert(0, _neutral_sentence(rng, bank, category, ctx))
    last = pols[j] if j is not None else overall
    effort = None
    effort_tps = ("customer_support", "returns_refunds", "billing_payment", "sales_ordering", "delivery_logistics")
    bad_service = any((tp, "neg") in said for tp in effort_tps)
    if last == "neg" and bank["effort_neg"] and rng.random() < 0.3 and bad_service \
            and ("customer_support", "pos") not in said:
        effort = "high"
        sentences.append(rng.choice(bank["effort_neg"]))
        contrib.append((-1.0, 0.7))
    elif last == "pos" and bank["effort_pos"] and rng.random() < 0.15 and not bad_service and (
            ("customer_support", "pos") in said or ("returns_refunds", "pos") in said):
        effort = "low"
        sentences.append(rng.choice(bank["effort_pos"]))
        contrib.append((1.0, 0.5))
    closing = None
    if rng.random() < (0.06 if j is not None else 0.22):
        closing = "churn" if last == "neg" else "advocacy"
        sentences.append(rng.choice(bank[closing]))
        contrib.append((-1.0 if closing == "churn" else 1.0, 1.5))

    text = " ".join(sentences)
    if not showcase and lang in ("en", "ro", "pl", "ru", "uk", "es", "it", "fr") and rng.random() < 0.07:
        text = _decap(text, lang).rstrip(".")  # casual typing: no capital, no final full stop
    score = sum(v * w for v, w in contrib) / sum(w for _, w in contrib)
    return {"text": _gender(text, gender), "pol": "mixed" if j is not None else overall, "tps": tps,
            "score": round(score, 3), "closing": closing, "effort": effort}


def _rating(rng: random.Random, score: float, neutral: bool = False) -> int:
    if neutral:
        return rng.choices([5, 4, 3], weights=[30, 45, 25])[0]
    if score >= 0.75:
        return rng.choices([5, 4, 3], weights=[72, 25, 3])[0]
    if score >= 0.25:
        return rng.choices([5, 4, 3], weights=[35, 50, 15])[0]
    if score > -0.25:
        return rng.choices([4, 3, 2], weights=[25, 50, 25])[0]
    if score > -0.75:
        return rng.choices([3, 2, 1], weights=[20, 50, 30])[0]
    return rng.choices([1, 2, 3], weights=[70, 26, 4])[0]


NPS_BY_RATING = {5: ([10, 9, 8, 7], [45, 35, 15, 5]), 4: ([9, 8, 7, 6], [15, 35, 35, 15]),
                 3: ([7, 6, 5, 4], [20, 35, 30, 15]), 2: ([5, 4, 3, 2, 1], [10, 25, 30, 20, 15]),
                 1: ([3, 2, 1, 0], [10, 20, 30, 40])}


def _nps(rng: random.Random, rating: int, closing: str | None = None) -> int:
    values, weights = NPS_BY_RATING[rating]
    v = rng.choices(values, weights=weights)[0]
    if closing == "churn":
        v = min(v, rng.choice([0, 1, 2]))
    elif closing == "advocacy":
        v = max(v, rng.choice([9, 10, 10]))
    return v


# ----------------------------------------------------------------------------------- text mutations
_RO_PLAIN = str.maketrans({"ă": "a", "â": "a", "î": "i", "ș": "s", "ț": "t", "ş": "s", "ţ": "t",
                           "Ă": "A", "Â": "A", "Î": "I", "Ș": "S", "Ț": "T", "Ş": "S", "Ţ": "T"})
_RO_CEDILLA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})


def _mojibake(s: str) -> str | None:
    """A UTF-8 text wrongly decoded as cp1252 ('întârziat' -> 'Ã®ntÃ¢rziat'); None when that is impossible."""
    try:
        bad = s.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None
    return bad if bad != s else None


def _add_emoji(rng: random.Random, text: str, pol: str) -> str:
    e = rng.choice(EMOJI_POS if pol == "pos" else EMOJI_NEG)
    if ". " in text and rng.random() < 0.5:
        return text.replace(". ", f" {e} ", 1)
    if text.endswith("."):
        return text[:-1] + " " + e
    return text + " " + e


# ---------------------------------------------------------------------------------------------- rows
def _base_rows(rng: random.Random, n_rows: int) -> list[dict]:
    months = _months()
    weights = [_month_weight(k, ym) for k, ym in enumerate(months)]
    dates = []
    for _ in range(n_rows):
        y, m = rng.choices(months, weights=weights)[0]
        dates.append(date(y, m, rng.randint(1, calendar.monthrange(y, m)[1])))
    dates.sort()
    counts = dict(LANG_COUNTS)
    scale = n_rows / sum(counts.values())
    langs = [lang for lang, c in counts.items() for _ in range(round(c * scale))]
    langs = (langs + ["en"] * n_rows)[:n_rows]
    rng.shuffle(langs)
    for pos, want in enumerate(MAJOR):  # the first five rows (shown by `cx-nlp demo`): one per major language
        q = langs.index(want, pos)
        langs[pos], langs[q] = langs[q], langs[pos]

    seen: set[str] = set()
    rows = []
    for i, (d, lang) in enumerate(zip(dates, langs)):
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        region = rng.choice(REGIONS)
        tier = rng.choices(TIERS, weights=TIER_WEIGHTS)[0]
        category = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS)[0]
        gender = rng.choice("mf")
        for _ in range(60):
            rev = _compose(rng, lang, d, channel, region, tier, category, gender, showcase=i < len(MAJOR))
            if rev is not None and rev["text"] not in seen:
                break
        assert rev is not None
        seen.add(rev["text"])
        rating = _rating(rng, rev["score"], neutral=rev["pol"] == "neutral")
        if i < len(MAJOR):  # showcase rows: stars that agree with the text
            rating = max(rating, 4) if rev["score"] > 0.25 else min(rating, 2) if rev["score"] < -0.25 else rating
        nps = None if rng.random() < 0.02 else _nps(rng, rating, rev["closing"])
        rows.append({
            "review_id": f"R{i + 1:06d}", "date": d.isoformat(), "rating": rating, "nps": nps,
            "channel": channel, "region": region, "customer_tier": tier, "product_category": category,
            "review_text": rev["text"],
            "_lang": lang, "_pol": rev["pol"], "_tps": rev["tps"], "_score": rev["score"],
            "_closing": rev["closing"], "_kinds": [], "_note": "",
        })
    return rows


def _mark(row: dict, kind: str, note: str = "") -> None:
    row["_kinds"].append(kind)
    if note:
        row["_note"] = note


def _set_text(rng: random.Random, row: dict, text, lang: str | None, score: float | None) -> None:
    row["review_text"] = text
    row["_lang"] = lang
    if score is not None:
        row["_score"] = score
        row["_pol"] = "pos" if score > 0.25 else "neg" if score < -0.25 else "mixed"
        row["_tps"] = []
        row["rating"] = _rating(rng, score)
        row["nps"] = _nps(rng, row["rating"])
    elif lang is None:
        row["_pol"], row["_tps"] = "junk", []


# (kind, in the first 200 rows, in the rest, texts, score per text or None = keep the row's own rating)
HARD_ROWS = [
    ("empty_text", 1, 3, [""], None),
    ("whitespace_only", 1, 2, ["   ", "\t", " \n  "], None),
    ("missing", 1, 5, [None], None),
    ("null_literal", 0, 1, ["NULL"], None),
    ("number", 1, 2, ["42", "5", "0"], None),
    ("punctuation_only", 1, 1, ["!!!", "..."], None),
    ("emoji_only", 1, 2, ["👍👍", "😡😡😡", "⭐⭐⭐⭐⭐"], [1.0, -1.0, 1.0]),
    ("html_script", 1, 0, ["<script>alert(1)</script> great shop"], [1.0]),
    ("html_markup", 0, 1, ["<b>Fast delivery</b><br>Nice packaging &amp; a friendly courier"], [1.0]),
    ("formula", 4, 2, ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"], None),
    ("very_long", 1, 0, ["RANT"], [-1.0]),
]
HARD_LANG = {"html_script": "en", "html_markup": "en", "very_long": "en"}


def _long_rant() -> str:
    k = math.ceil(20_000 / len(RANT))
    return (RANT * k).strip() + " I am DONE with you."


def _choose(rng: random.Random, rows: list[dict], lo: int, hi: int, k: int, ok=lambda r: True) -> list[int]:
    if k <= 0:
        return []
    cands = [i for i in range(lo, min(hi, len(rows))) if not rows[i]["_kinds"] and ok(rows[i])]
    return sorted(rng.sample(cands, min(k, len(cands))))


def _spread(rng, rows, n_small, n_rest, ok=lambda r: True) -> list[int]:
    return _choose(rng, rows, 5, N_SMALL, n_small, ok) + _choose(rng, rows, N_SMALL, len(rows), n_rest, ok)


def _add_mess(rng: random.Random, rows: list[dict]) -> None:
    for kind, n_small, n_rest, texts, scores in HARD_ROWS:
        for occ, i in enumerate(_spread(rng, rows, n_small, n_rest)):
            t = texts[occ % len(texts)]
            t = _long_rant() if t == "RANT" else t
            score = scores[occ % len(scores)] if scores else None
            _set_text(rng, rows[i], t, HARD_LANG.get(kind), score)
            _mark(rows[i], kind)

    for kind, texts in (("typos", TYPO_TEXTS), ("newlines_quotes", NEWLINE_QUOTE_TEXTS),
                        ("missing_space", MISSING_SPACE_TEXTS)):
        for occ, i in enumerate(_spread(rng, rows, 1, len(texts) - 1)):
            lang, score, text = texts[occ]
            _set_text(rng, rows[i], text, lang, score)
            _mark(rows[i], kind, "hand-written")

    def multi_sentence(r):
        return r["_pol"] in ("pos", "neg", "mixed") and re.search(r"[.!] \w", r["review_text"]) is not None

    for i in _spread(rng, rows, 0, 3, multi_sentence):
        rows[i]["review_text"] = re.sub(r"([.!]) (?=\w)", r"\1", rows[i]["review_text"])
        _mark(rows[i], "missing_space")

    def caps_ok(r):
        return r["_lang"] in ("en", "ro", "pl", "ru", "de", "es", "fr", "it", "uk") and r["_pol"] == "neg" \
            and len(r["review_text"]) < 160

    for i in _spread(rng, rows, 1, 5, caps_ok):
        rows[i]["review_text"] = rows[i]["review_text"].upper().rstrip(".!") + "!!!"
        _mark(rows[i], "all_caps")

    def ro_diacritics(r):
        return r["_lang"] == "ro" and r["review_text"] != r["review_text"].translate(_RO_PLAIN)

    for i in _spread(rng, rows, 2, 8, ro_diacritics):
        rows[i]["review_text"] = rows[i]["review_text"].translate(_RO_PLAIN)
        _mark(rows[i], "ro_no_diacritics")

    for i in _spread(rng, rows, 1, 2, lambda r: r["_lang"] == "ro" and re.search("[șțȘȚ]", r["review_text"])):
        rows[i]["review_text"] = rows[i]["review_text"].translate(_RO_CEDILLA)
        _mark(rows[i], "ro_cedilla")

    first = _spread(rng, rows, 1, 0)
    lang, score, text = MOJIBAKE_SOURCE
    _set_text(rng, rows[first[0]], _mojibake(text), lang, score)
    _mark(rows[first[0]], "mojibake", "UTF-8 decoded as cp1252")

    def moji_ok(r):
        return r["_lang"] in ("ro", "pl", "fr", "de", "es", "it") and r["_pol"] != "junk" \
            and _mojibake(r["review_text"]) is not None

    for i in _spread(rng, rows, 0, 4, moji_ok):
        rows[i]["review_text"] = _mojibake(rows[i]["review_text"])
        _mark(rows[i], "mojibake", "UTF-8 decoded as cp1252")

    for i in _spread(rng, rows, 2, 10, lambda r: r["_pol"] in ("pos", "neg")):
        rows[i]["review_text"] = _add_emoji(rng, rows[i]["review_text"], rows[i]["_pol"])
        _mark(rows[i], "emoji_in_text")

    def strong(r):
        return (r["_pol"] == "pos" and r["_score"] >= 0.75) or (r["_pol"] == "neg" and r["_score"] <= -0.75)

    for i in _spread(rng, rows, 1, 9, strong):
        r = rows[i]
        r["rating"] = 1 if r["_pol"] == "pos" else 5
        r["nps"] = _nps(rng, r["rating"])
        _mark(r, "rating_mismatch", "stars contradict the text")

    def dup_source(r):
        return r["_pol"] in ("pos", "neg") and 15 <= len(r["review_text"]) <= 110 and r["_lang"] in MAJOR

    sources = _spread(rng, rows, 1, 3, dup_source)
    plan = [(sources[0], 0, N_SMALL)] + [(s, N_SMALL, len(rows)) for s in sources[1:]] + [(sources[-1], N_SMALL,
                                                                                             len(rows))]
    for s in sources:
        _mark(rows[s], "duplicate", "original")
    for s, lo, hi in plan:
        lo = max(lo, 5)
        t = _choose(rng, rows, lo, hi, 1)[0]
        src = rows[s]
        rows[t]["review_text"] = src["review_text"]
        for key in ("_lang", "_pol", "_tps", "_score"):
            rows[t][key] = src[key]
        rows[t]["rating"] = _rating(rng, src["_score"])
        rows[t]["nps"] = _nps(rng, rows[t]["rating"])
        _mark(rows[t], "duplicate", f"same text as {src['review_id']}")


def build_rows(seed: int = SEED, n_rows: int = N_ROWS) -> list[dict]:
    """All review rows, in file order; keys starting with '_' are generator metadata (not written)."""
    rng = random.Random(seed)
    rows = _base_rows(rng, n_rows)
    _add_mess(rng, rows)
    return rows


def bad_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["_kinds"]]


# -------------------------------------------------------------------------------------------- writers
def _field(value, delim: str) -> str:
    if value is None:
        return ""
    s = str(value)
    if s == "" or s != s.strip() or any(c in s for c in (delim, '"', "\n", "\r")):
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_text(records: list[list], delim: str = ",", eol: str = "\n") -> str:
    return "".join(delim.join(_field(v, delim) for v in rec) + eol for rec in records)


def _review_records(rows: list[dict]) -> list[list]:
    return [COLUMNS] + [[r[c] for c in COLUMNS] for r in rows]


def _legacy_export(rows: list[dict], langs: tuple[str, ...], encoding: str, n: int) -> bytes:
    """~n clean rows of the given languages as a Central/East European Excel export (';', CRLF, legacy code page).

    Romanian ș/ț do not exist in cp1250: like the old exports, they are written as the cedilla letters ş/ţ.
    """
    picked = []
    for r in rows:
        if r["_kinds"] or r["_lang"] not in langs:
            continue
        text = r["review_text"].translate(_RO_CEDILLA) if r["_lang"] == "ro" else r["review_text"]
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            continue
        picked.append(dict(r, review_text=text))
        if len(picked) == n:
            break
    return csv_text(_review_records(picked), delim=";", eol="\r\n").encode(encoding)


def _transcript_files() -> dict[str, bytes]:
    csv_records = [["conversation_id", "speaker", "text", "time"]] + [[c, s, x, t] for c, s, t, x in CSV_CHATS]
    return {
        "sample_transcripts/en_chat_late_delivery.txt": EN_CHAT.encode("utf-8"),
        "sample_transcripts/pl_chat_double_charge.txt": PL_CHAT.encode("utf-8"),
        "sample_transcripts/ru_chat_damaged_tv.txt": RU_CHAT.encode("utf-8"),
        "sample_transcripts/fa_chat_wrong_size.txt": FA_CHAT.encode("utf-8"),
        "sample_transcripts/ro_chat_refund.json": (json.dumps(RO_CHAT, ensure_ascii=False, indent=2) + "\n")
        .encode("utf-8"),
        "sample_transcripts/transcripts.csv": csv_text(csv_records).encode("utf-8"),
    }


KIND_TEXT = {
    "empty_text": "empty string (written as `\"\"`)",
    "whitespace_only": "only spaces / a tab / a newline",
    "missing": "no value at all (an empty cell: NaN in pandas)",
    "null_literal": "the word `NULL` (pandas reads it as NaN by default)",
    "number": "a number instead of text (`42`, `5`, `0`)",
    "punctuation_only": "`!!!` or `...`",
    "emoji_only": "only emoji (`👍👍`, `😡😡😡`, `⭐⭐⭐⭐⭐`)",
    "html_script": "`<script>alert(1)</script> great shop`",
    "html_markup": "HTML tags and an entity (`<b>...</b><br>... &amp; ...`)",
    "formula": "spreadsheet formula payloads (`=HYPERLINK(\"http://x\",\"click\")`, `+cmd\\|' /C calc'!A0`, "
               "`@SUM(1+1)`, `-2+3`)",
    "very_long": "a ~20,000-character rant (one paragraph repeated)",
    "typos": "hand-written text with typos",
    "newlines_quotes": "embedded newlines, double quotes and commas",
    "missing_space": "no space after the full stop (`Great product.Fast delivery!`)",
    "all_caps": "shouting in capitals with `!!!`",
    "ro_no_diacritics": "Romanian typed without diacritics",
    "ro_cedilla": "Romanian with the legacy cedilla letters ş/ţ instead of ș/ț",
    "mojibake": "UTF-8 text decoded as cp1252 (`întârziat` -> `Ã®ntÃ¢rziat`)",
    "emoji_in_text": "an emoji inside a normal review",
    "rating_mismatch": "stars contradict the text (1 star on a glowing review, 5 on a complaint)",
    "duplicate": "the same text from different customers (the original is listed too)",
}

LANG_NAMES = {"en": "English", "ro": "Romanian", "pl": "Polish", "ru": "Russian", "fa": "Persian", "de": "German",
              "fr": "French", "es": "Spanish", "uk": "Ukrainian", "it": "Italian", "tr": "Turkish"}


def _readme(rows: list[dict], n_cp1250: int, n_cp1251: int) -> str:
    langs = Counter(r["_lang"] for r in rows if r["_lang"])
    junk = sum(1 for r in rows if not r["_lang"])
    mix = "\n".join(f"| {code} | {LANG_NAMES[code]} | {langs[code]} | {100 * langs[code] / len(rows):.1f}% |"
                    for code in LANG_COUNTS)
    bad = bad_rows(rows)
    by_kind: dict[str, list[str]] = {}
    for r in bad:
        for k in r["_kinds"]:
            by_kind.setdefault(k, []).append(r["review_id"])
    kinds = "\n".join(f"| `{k}` | {KIND_TEXT[k]} | {len(by_kind[k])} | {', '.join(by_kind[k])} |"
                      for k in KIND_TEXT if k in by_kind)
    dups = "\n".join(f"- {r['review_id']}: {r['_note']}" for r in bad
                     if "duplicate" in r["_kinds"] and r["_note"].startswith("same"))
    small_bad = sum(1 for r in bad if int(r["review_id"][1:]) <= N_SMALL)
    blank_nps = sum(1 for r in rows if r["nps"] is None)
    return f"""\
# Sample data

Everything in this folder is fictional and was written for cx_nlp: the reviews are composed by
`scripts/make_sample_data.py` from clauses written by hand for this project, and the support transcripts
were written by hand. Nothing was copied from any dataset. Licence: MIT, like the rest of the project.

The customers are those of **Nordwind Market**, an invented online + offline retailer (web shop, app,
stores and a phone line). Any resemblance to real companies or people is accidental.

**Do not edit these files by hand.** Change the script and rerun it (seed `{SEED}`, stdlib only):

```bash
python scripts/make_sample_data.py            # rewrites data/
python scripts/make_sample_data.py --out DIR  # the same files under DIR
```

`tests/unit/test_sample_data.py` regenerates everything and checks that it equals the committed files
byte for byte, so the data never drifts from the generator.

## Files

| file | what it is |
|---|---|
| `sample_reviews.csv` | {len(rows)} reviews, UTF-8 (no BOM), `,`-separated, with a header; fields that contain `,` `"` or newlines are quoted. The demo (`cx-nlp demo`) scores this file. |
| `sample_reviews_small.csv` | the first {N_SMALL} rows of `sample_reviews.csv` (same columns, same ids) for fast tests; {small_bad} of them are deliberate bad rows, at least one of each kind except `null_literal` and `html_markup`. |
| `sample_reviews_cp1250.csv` | {n_cp1250} Polish and Romanian rows as a Polish Excel would export them: **cp1250**, `;`-separated, CRLF line ends. Romanian ș/ț are not in cp1250 and are written as ş/ţ (cedilla), as old exports do. Same ids and columns as the main file. |
| `sample_reviews_cp1251.csv` | {n_cp1251} Russian rows in **cp1251**, `;`-separated, CRLF. |
| `sample_transcripts/en_chat_late_delivery.txt` | English chat, `[10:02] Agent: ...` / `[10:03] Customer: ...`; starts angry, ends resolved (replacement + voucher). |
| `sample_transcripts/pl_chat_double_charge.txt` | Polish chat, `Konsultant:` / `Klient:`; a double BLIK charge, worried then resolved. |
| `sample_transcripts/ru_chat_damaged_tv.txt` | Russian chat, `Оператор:` / `Клиент:`; a damaged TV, escalates ("Я хочу поговорить с вашим руководителем"), a supervisor takes over. |
| `sample_transcripts/fa_chat_wrong_size.txt` | Persian chat, `اپراتور:` / `مشتری:`; wrong size, angry then resolved. |
| `sample_transcripts/ro_chat_refund.json` | Romanian chat as a JSON list of turns `{{"speaker": "agent"/"customer", "time", "text"}}`; a late refund that ends in churn ("vă rog să-mi închideți contul"). |
| `sample_transcripts/transcripts.csv` | columns `conversation_id, speaker, text, time` (ISO timestamps); `C-EN-0007` escalates ("I want to speak to your manager") and ends in churn ("Please cancel my account"); `C-RO-0012` starts angry and ends resolved. |

Each transcript has 6-12 turns.

## Columns of the review files

| column | values |
|---|---|
| `review_id` | `R000001` ... `R{len(rows):06d}`, in file order (rows are sorted by date) |
| `date` | ISO date, 2025-01-01 ... 2026-10-31; more reviews in Nov/Dec and as the business grows |
| `rating` | 1-5 stars, drawn from the sentiment of the text (a few deliberately contradict it) |
| `nps` | 0-10 likelihood to recommend, drawn from the rating; churn closings pull it to 0-2 and advocacy closings to 9-10; blank for {blank_nps} rows (customer skipped the question) |
| `channel` | `web`, `app`, `store`, `phone` |
| `region` | `North`, `South`, `East`, `West`, `Central` |
| `customer_tier` | `new`, `regular`, `vip` |
| `product_category` | {", ".join(f"`{c}`" for c in CATEGORIES)} |
| `review_text` | the review (see below) |

## How the reviews are made

For each language there are hand-written positive and negative clauses per touchpoint: English, Romanian,
Polish, Russian and Persian cover all ten touchpoints (delivery_logistics incl. packaging, customer_support,
staff_behaviour, price_value, product_quality, website_app, billing_payment, returns_refunds,
store_environment, sales_ordering) with 5-7 clauses per polarity; German, French, Spanish, Ukrainian,
Italian and Turkish cover five (delivery_logistics, customer_support, product_quality, price_value,
returns_refunds) with 3 per polarity. A review is 1-3 clauses on different touchpoints; about a quarter are
mixed (two clauses of opposite polarity joined with the language's "but": *but*, *dar*/*însă*,
*ale*/*jednak*, *но*/*однако*, *اما*/*ولی*, *aber*, *mais*, *pero*, *але*, *ma*, *ama*). Some add a factual
opener ("Ordered an air fryer on Monday."), a customer-effort remark ("I had to call three times.") or a
closing that signals churn ("Never again.", "I'm cancelling my account.") or advocacy ("I recommend
them!"). About 6% are neutral, factual reviews. Touchpoints depend on the channel (store reviews talk about
staff and the store, app reviews about the app). Texts are unique except the deliberate duplicates.

Trends built in (what the demo report should show):

- **delivery complaints rise** in Nov-Dec 2025 (peak season) and even more in Jun-Aug 2026 (a new
  delivery partner), with more reviews mentioning delivery in those months;
- **app complaints spike** in Mar-Apr 2026 (app 5.0: crashes at checkout, log-in problems);
- **price complaints** go up from Jan 2026 (price rise and a small-order service fee);
- **customer-support complaints fall** steadily over the two years (a new support team);
- store reviews from the **East** region complain more about staff and the store;
- `new` customers are a little more negative, `vip` customers more positive.

## Language mix

| code | language | rows | share |
|---|---|---|---|
{mix}

{junk} further rows have no language (empty, missing, numbers, punctuation, emoji only, formulas).

## Deliberate bad rows

{len(bad)} rows ({100 * len(bad) / len(rows):.1f}%) are messy on purpose, so that readers and scoring
must cope with them:

| kind | what | rows | review_id |
|---|---|---|---|
{kinds}

Duplicates:

{dups}

A few other reviews are typed casually (no capital letter, no final full stop); they are not listed.
"""


def main(out_dir: str | Path | None = None, seed: int = SEED) -> list[Path]:
    """Write all sample files under ``out_dir`` (default: the repository's ``data/``); return their paths."""
    out = Path(out_dir) if out_dir is not None else ROOT / "data"
    rows = build_rows(seed)
    cp1250 = _legacy_export(rows, ("pl", "ro"), "cp1250", 50)
    cp1251 = _legacy_export(rows, ("ru",), "cp1251", 50)
    files = {
        "sample_reviews.csv": csv_text(_review_records(rows)).encode("utf-8"),
        "sample_reviews_small.csv": csv_text(_review_records(rows[:N_SMALL])).encode("utf-8"),
        "sample_reviews_cp1250.csv": cp1250,
        "sample_reviews_cp1251.csv": cp1251,
        **_transcript_files(),
    }
    files["README.md"] = _readme(rows, cp1250.count(b"\r\n") - 1, cp1251.count(b"\r\n") - 1).encode("utf-8")
    written = []
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: data/ of the repository)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    for p in main(args.out, args.seed):
        print(p, p.stat().st_size)
