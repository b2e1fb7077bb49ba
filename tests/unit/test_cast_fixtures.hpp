// Hand-made Documents and Segmentations for the casting tests: built here, not
// by the parser, so these tests pin casting alone.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "cast/cast.hpp"
#include "core/model.hpp"

namespace castfx {

using namespace turncast;

// A palette with plainly distinct ids; pools of 4 questioners and 2 others.
inline cast::CastConfig config() {
    cast::CastConfig c;
    auto v = [](const char* id, const char* espeak, const char* variant, int rate = 175) {
        Voice x;
        x.id = id;
        x.espeak_voice = espeak;
        x.variant = variant;
        x.rate = rate;
        x.sex = variant[0] == 'f' ? Sex::Female : Sex::Male;  // as load_cast reads f*/m* variants
        return x;
    };
    c.palette = {v("narrator", "en-gb-x-rp", "f2"), v("main", "en-gb", "m1"), v("q1", "en-us", "f3"),
                 v("q2", "en-gb-scotland", "m4"), v("q3", "en-gb", "f4"),     v("q4", "en-us", "m7"),
                 v("o1", "en-us-nyc", "m6"),        v("o2", "en-gb", "f5")};
    c.narrator = "narrator";
    c.main = "main";
    c.questioners = {"q1", "q2", "q3", "q4"};
    c.others = {"o1", "o2"};
    c.source_path = "test-cast.toml";
    return c;
}

struct Builder {
    Document doc;
    Segmentation seg;

    std::size_t speaker(const std::string& id, const std::string& name, SpeakerRole role) {
        seg.speakers.push_back(Speaker{id, name, role, {}});
        return seg.speakers.size() - 1;
    }
    std::size_t turn(std::size_t who, TurnKind kind, std::initializer_list<std::string> paragraphs,
                     bool stage = false) {
        Turn t;
        t.speaker = who;
        t.kind = kind;
        for (const auto& text : paragraphs) {
            Paragraph p;
            p.text = text;
            p.stage_direction = stage;
            doc.paragraphs.push_back(p);
            t.paragraphs.push_back(doc.paragraphs.size() - 1);
        }
        seg.turns.push_back(t);
        return seg.turns.size() - 1;
    }
};

// The Volgograd sample's shape: opening remarks, six questions (the fifth with
// a follow-up by the same questioner), closing remarks.
inline Builder sample() {
    Builder b;
    b.doc.meta.title =
        "Sergey Lavrov\xE2\x80\x99s remarks and answers to questions during a meeting with the WWII veteran "
        "community, volunteers and representatives of the people\xE2\x80\x99s diplomacy centre, Volgograd, "
        "August 30, 2021";
    b.doc.meta.date = "2021-08-30";
    b.doc.meta.time = "19:47";
    b.doc.meta.place = "Volgograd";
    const auto lavrov = b.speaker("sergey-lavrov", "Sergey Lavrov", SpeakerRole::Main);
    std::vector<std::size_t> q;
    for (int i = 1; i <= 6; ++i)
        q.push_back(b.speaker("questioner-" + std::to_string(i), "Questioner " + std::to_string(i),
                              SpeakerRole::Questioner));
    b.turn(lavrov, TurnKind::Remarks,
           {"Thank you very much, Mr Bocharov, Mr Shestel, friends,",
            "Thank you very much for the invitation. My visit is timed to coincide with the ceremony.",
            "Our foreign policy seeks to maximise the use of external circumstances."});
    b.turn(q[0], TurnKind::Question,
           {"One significant aspect of the struggle for peace is the tradition of establishing twin-city ties."});
    b.turn(lavrov, TurnKind::Answer, {"Thank you very much. We already talked about this 2024 initiative."});
    b.turn(q[1], TurnKind::Question,
           {"Last spring, a team of French researchers visited the Volgograd Region."});
    b.turn(lavrov, TurnKind::Answer, {"I believe you should certainly continue to do this work."});
    b.turn(q[2], TurnKind::Question,
           {"Thanks to your helping hand, the Hero City of Volgograd obtained the status.",
            "Many events and gatherings are held as part of the twin city movement."});
    b.turn(lavrov, TurnKind::Answer, {"Thank you for what you are doing and your interest."});
    b.turn(q[3], TurnKind::Question, {"You are a role model for many people, including myself."});
    b.turn(lavrov, TurnKind::Answer, {"No, I\xE2\x80\x99m not. If you don\xE2\x80\x99t write everything, it won\xE2\x80\x99t be interesting."});
    b.turn(q[4], TurnKind::Question,
           {"In your interviews you said on many occasions that you\xE2\x80\x99re a football fan."});
    b.turn(lavrov, TurnKind::Answer, {"No, I can\xE2\x80\x99t recite it now. As for the MGIMO hymn?"});
    b.turn(q[4], TurnKind::FollowUp, {"I\xE2\x80\x99m about to start 9th year, so not now."});
    b.turn(lavrov, TurnKind::Answer, {"You can start learning the lyrics."});
    b.turn(q[5], TurnKind::Question, {"I would like to phrase my question as a verse from a song."});
    b.turn(lavrov, TurnKind::Answer,
           {"Your performance has moved me to tears.", "The question, when will we cancel war, is not an easy one."});
    b.turn(lavrov, TurnKind::Closing, {"Mr Bocharov,", "Thank you for this meeting."});
    return b;
}

}  // namespace castfx
