// Document → speakers and turns.
//
//   auto seg = turncast::segment::segment(doc, rules);
//   seg.turns[i].speaker indexes seg.speakers
//
// Unlabelled opening paragraphs belong to the main speaker named in the title;
// a label starts a turn that runs until the next label; role labels
// ("Question") become questioners, each a new person unless a follow-up.
#pragma once

#include "core/model.hpp"
#include "parse/parse.hpp"

namespace turncast::segment {

Segmentation segment(const Document& doc, const parse::Rules& rules);

}  // namespace turncast::segment
