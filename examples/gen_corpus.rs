//! Deterministic synthetic corpus generator for casebook benchmarks and tests.
//!
//! Writes N synthetic case studies plus the taxonomy they use, in casebook's
//! source layout (see DESIGN.md, "Content model"):
//!
//! ```text
//! DIR/casebook.toml                  which vocabulary is the profile, which one
//!                                    the home page starts from
//! DIR/cases/taxonomy.yaml            forces / problems / practices vocabularies
//! DIR/cases/<province>/<case-id>.md  YAML front matter + Markdown body
//! ```
//!
//! Run it with
//!
//! ```text
//! cargo run --release --example gen_corpus -- --n 10000 --out DIR [--seed S]
//! ```
//!
//! This is a Rust port of the casebook part of `bench/gen_corpus.py`: same
//! vocabularies, same Chinese/English sentence material and templates, same
//! case structure (Background, 1-3 `## Practice: ... {#pid practice=pid
//! forces="..."}` sections with paragraphs and lists, Results with a table,
//! Lessons; bodies of 2,900-5,600 bytes). Its random streams differ, so the
//! text is not identical to the Python output.
//!
//! Properties:
//! - Output is byte-identical for the same `--seed` and `--n`.
//! - Case i depends only on (seed, i), not on N: a corpus of N=1000 is the
//!   first 1000 cases of N=10000. Each case draws from its own SplitMix64
//!   stream seeded from hash(seed, i).
//! - Every id a case uses exists in the generated taxonomy, and every force of
//!   a practice section is among the case's forces. Cases 1..=40 each lead
//!   with a different practice and cases 1..=12 each carry a different
//!   problem, so every taxonomy term is used once N >= 40.
//! - If `DIR/cases` exists it must be a previous output of this generator
//!   (its taxonomy.yaml starts with the generator's marker line) or empty; it
//!   is then replaced. Anything else in DIR is left alone.
//!
//! Standard library only; cases are generated and written on all cores.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::exit;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

// --------------------------------------------------------------------------
// Vocabularies
// --------------------------------------------------------------------------

struct Force {
    id: &'static str,
    en: &'static str,
    zh: &'static str,
    definition: &'static str,
    aliases: &'static [&'static str],
}

struct Problem {
    id: &'static str,
    en: &'static str,
    zh: &'static str,
    forces: &'static [usize],
    aliases: &'static [&'static str],
}

struct Practice {
    id: &'static str,
    en: &'static str,
    zh: &'static str,
    forces: &'static [usize],
}

struct Place {
    slug: &'static str,
    en: &'static str,
    zh: &'static str,
    /// (city, districts), cities in alphabetical order.
    cities: &'static [(&'static str, &'static [&'static str])],
}

const F_POL: usize = 0;
const F_IDEO: usize = 1;
const F_MASS: usize = 2;
const F_ORG: usize = 3;
const F_SELF: usize = 4;

const FORCES: &[Force] = &[
    Force {
        id: "political-leadership",
        en: "Political leadership",
        zh: "政治领导力",
        definition: "The capacity of the community Party organization to keep the political direction, \
                     lead all other organizations in the community and turn higher-level decisions into local action.",
        aliases: &["political leading power", "政治引领", "领导核心"],
    },
    Force {
        id: "ideological-leadership",
        en: "Ideological leadership",
        zh: "思想引领力",
        definition: "The capacity to shape the beliefs and awareness of Party members and residents through \
                     study, education and everyday example.",
        aliases: &["ideological guidance", "思想引导", "理论武装"],
    },
    Force {
        id: "mass-cohesion",
        en: "Mass cohesion",
        zh: "群众凝聚力",
        definition: "The capacity to unite residents around shared goals by serving them, listening to them \
                     and involving them in community affairs.",
        aliases: &["cohesion of the masses", "凝聚群众", "群众工作"],
    },
    Force {
        id: "organizational-coverage",
        en: "Organizational coverage",
        zh: "组织覆盖力",
        definition: "The reach of Party organizations and their work into every building, grid, enterprise \
                     and social organization of the community.",
        aliases: &["organization coverage", "组织覆盖", "两个覆盖"],
    },
    Force {
        id: "self-innovation",
        en: "Self-innovation",
        zh: "自我革新力",
        definition: "The capacity of the organization to reform itself: renew its cadres, its methods and \
                     its rules, and fight formalism.",
        aliases: &["self-revolution", "自我革命", "改革创新"],
    },
];

macro_rules! problem {
    ($id:expr, $en:expr, $zh:expr, [$($f:expr),*], [$($a:expr),*]) => {
        Problem { id: $id, en: $en, zh: $zh, forces: &[$($f),*], aliases: &[$($a),*] }
    };
}

const PROBLEMS: &[Problem] = &[
    problem!(
        "political-function-weak",
        "Political function not in place",
        "政治功能不到位",
        [F_POL],
        ["weak political function", "政治功能弱化"]
    ),
    problem!(
        "ideological-awareness-weak",
        "Members' ideological awareness weak",
        "党员思想意识薄弱",
        [F_IDEO],
        ["weak awareness", "思想意识淡薄"]
    ),
    problem!("mass-cohesion-weak", "Mass cohesion weak", "群众凝聚力不强", [F_MASS], ["low cohesion", "凝聚力弱"]),
    problem!(
        "governance-synergy-missing",
        "Multi-party governance synergy not formed",
        "多元共治合力未形成",
        [F_ORG, F_POL],
        ["no governance synergy", "共治合力不足"]
    ),
    problem!(
        "party-building-disconnected",
        "Party building disconnected from governance needs",
        "党建与治理需求脱节",
        [F_ORG, F_SELF],
        ["two skins", "两张皮"]
    ),
    problem!("formalism", "Formalism", "形式主义", [F_SELF], ["box-ticking", "文山会海", "留痕主义"]),
    problem!(
        "coverage-gaps",
        "Gaps in organizational coverage",
        "组织覆盖存在空白",
        [F_ORG],
        ["uncovered organizations", "覆盖盲区"]
    ),
    problem!("aging-cadres", "Aging and thin cadre team", "干部队伍老化", [F_SELF], ["cadre shortage", "后继乏人"]),
    problem!(
        "resident-participation-low",
        "Low resident participation",
        "居民参与度低",
        [F_MASS],
        ["passive residents", "参与不足"]
    ),
    problem!(
        "resource-fragmentation",
        "Fragmented resources",
        "资源碎片化",
        [F_ORG],
        ["scattered resources", "资源分散"]
    ),
    problem!(
        "service-capacity-weak",
        "Weak service capacity",
        "服务能力不足",
        [F_MASS, F_SELF],
        ["poor services", "服务短板"]
    ),
    problem!(
        "mobile-members-unmanaged",
        "Mobile Party members hard to manage",
        "流动党员管理难",
        [F_ORG, F_IDEO],
        ["floating members", "流动党员失联"]
    ),
];

macro_rules! practice {
    ($id:expr, $en:expr, $zh:expr, [$($f:expr),*]) => {
        Practice { id: $id, en: $en, zh: $zh, forces: &[$($f),*] }
    };
}

const PRACTICES: &[Practice] = &[
    practice!("party-building-alliance", "Party building alliance", "党建联盟", [F_ORG, F_POL]),
    practice!("big-party-building", "Urban big Party building pattern", "城市大党建格局", [F_POL, F_ORG]),
    practice!("red-wall-consciousness", "Red wall consciousness", "红墙意识", [F_POL, F_IDEO]),
    practice!("one-body-two-wings", "One body, two wings", "一体两翼", [F_ORG, F_POL]),
    practice!("grid-governance", "Grid governance", "网格化治理", [F_ORG, F_MASS]),
    practice!("red-property-management", "Red property management", "红色物业", [F_MASS, F_ORG]),
    practice!("community-council", "Community council", "社区议事会", [F_MASS, F_SELF]),
    practice!("volunteer-service-station", "Volunteer service station", "志愿服务站", [F_MASS]),
    practice!("party-member-pioneer-post", "Party member pioneer post", "党员先锋岗", [F_IDEO, F_MASS]),
    practice!("theme-party-day", "Theme Party day", "主题党日", [F_IDEO]),
    practice!("building-party-groups", "Building Party groups", "楼栋党小组", [F_ORG]),
    practice!(
        "two-new-organizations-coverage",
        "Covering new economic and social organizations",
        "两新组织覆盖",
        [F_ORG]
    ),
    practice!(
        "in-service-members-report",
        "In-service members report to the community",
        "在职党员进社区报到",
        [F_ORG, F_MASS]
    ),
    practice!("neighborhood-festival", "Neighborhood festival", "邻里节", [F_MASS]),
    practice!("smart-community-platform", "Smart community platform", "智慧社区平台", [F_SELF, F_ORG]),
    practice!("cadre-rotation-training", "Cadre rotation and training", "干部轮岗培训", [F_SELF]),
    practice!("list-of-responsibilities", "List of responsibilities", "责任清单", [F_POL, F_SELF]),
    practice!("whistle-and-report", "Streets blow the whistle, departments report", "街乡吹哨部门报到", [F_POL, F_ORG]),
    practice!("party-school-classroom", "Community Party school classroom", "社区党校课堂", [F_IDEO]),
    practice!("red-story-telling", "Red story telling", "红色故事宣讲", [F_IDEO, F_MASS]),
    practice!("resident-demand-list", "Resident demand list", "居民需求清单", [F_MASS, F_SELF]),
    practice!("joint-conference-system", "Joint conference system", "联席会议制度", [F_ORG, F_POL]),
    practice!("party-member-contact-households", "Party members contact households", "党员联系户", [F_MASS, F_IDEO]),
    practice!("project-based-services", "Project-based services", "项目化服务", [F_SELF, F_MASS]),
    practice!("ethnic-unity-activities", "Ethnic unity activities", "民族团结活动", [F_MASS, F_POL]),
    practice!("community-foundation", "Community foundation", "社区基金", [F_SELF, F_MASS]),
    practice!("mobile-member-registry", "Mobile member registry", "流动党员登记", [F_ORG, F_IDEO]),
    practice!("performance-evaluation", "Performance evaluation mechanism", "考核评价机制", [F_SELF, F_POL]),
    practice!("streamlining-meetings", "Streamlining meetings and documents", "精简会议文件", [F_SELF]),
    practice!("party-mass-service-center", "Party-mass service center", "党群服务中心", [F_MASS, F_ORG]),
    practice!("elderly-care-canteen", "Elderly care canteen", "老年助餐点", [F_MASS]),
    practice!("youth-social-workers", "Young social workers", "青年社工", [F_SELF, F_MASS]),
    practice!("courtyard-meetings", "Courtyard meetings", "院落议事", [F_MASS, F_SELF]),
    practice!("co-building-co-sharing", "Co-building and co-sharing", "共建共享", [F_ORG, F_MASS]),
    practice!("digital-party-study", "Digital Party study platform", "数字化学习平台", [F_IDEO, F_SELF]),
    practice!("border-community-patrol", "Border community patrol", "边境社区巡防", [F_POL, F_ORG]),
    practice!("merchant-party-branch", "Business district Party branch", "商圈党支部", [F_ORG]),
    practice!("conflict-mediation-room", "Conflict mediation room", "矛盾调解室", [F_MASS, F_POL]),
    practice!("points-for-services", "Volunteer points exchange", "志愿积分兑换", [F_MASS, F_SELF]),
    practice!("standardized-branch-building", "Standardized branch building", "标准化规范化支部建设", [F_POL, F_SELF]),
];

const PLACES: &[Place] = &[
    Place {
        slug: "henan",
        en: "Henan",
        zh: "河南",
        cities: &[
            ("Luoyang", &["Xigong District", "Laocheng District"]),
            ("Zhengzhou", &["Erqi District", "Jinshui District", "Zhongyuan District"]),
        ],
    },
    Place {
        slug: "beijing",
        en: "Beijing",
        zh: "北京",
        cities: &[("Beijing", &["Xicheng District", "Dongcheng District", "Chaoyang District", "Haidian District"])],
    },
    Place {
        slug: "fujian",
        en: "Fujian",
        zh: "福建",
        cities: &[
            ("Fuzhou", &["Gulou District", "Taijiang District"]),
            ("Xiamen", &["Siming District", "Huli District"]),
        ],
    },
    Place {
        slug: "guangxi",
        en: "Guangxi",
        zh: "广西",
        cities: &[("Guilin", &["Xiufeng District"]), ("Nanning", &["Qingxiu District", "Xingning District"])],
    },
    Place {
        slug: "xinjiang",
        en: "Xinjiang",
        zh: "新疆",
        cities: &[("Kashgar", &["Kashgar City"]), ("Urumqi", &["Tianshan District", "Saybag District"])],
    },
    Place {
        slug: "zhejiang",
        en: "Zhejiang",
        zh: "浙江",
        cities: &[("Hangzhou", &["Shangcheng District", "Xihu District"]), ("Ningbo", &["Haishu District"])],
    },
    Place {
        slug: "jiangsu",
        en: "Jiangsu",
        zh: "江苏",
        cities: &[("Nanjing", &["Gulou District", "Qinhuai District"]), ("Suzhou", &["Gusu District"])],
    },
    Place {
        slug: "shanghai",
        en: "Shanghai",
        zh: "上海",
        cities: &[("Shanghai", &["Huangpu District", "Xuhui District", "Pudong New Area"])],
    },
    Place {
        slug: "sichuan",
        en: "Sichuan",
        zh: "四川",
        cities: &[("Chengdu", &["Jinjiang District", "Wuhou District"])],
    },
    Place {
        slug: "guangdong",
        en: "Guangdong",
        zh: "广东",
        cities: &[
            ("Guangzhou", &["Yuexiu District", "Tianhe District"]),
            ("Shenzhen", &["Futian District", "Nanshan District"]),
        ],
    },
    Place {
        slug: "hubei", en: "Hubei", zh: "湖北", cities: &[("Wuhan", &["Jiang'an District", "Wuchang District"])]
    },
    Place {
        slug: "shandong",
        en: "Shandong",
        zh: "山东",
        cities: &[("Jinan", &["Lixia District"]), ("Qingdao", &["Shinan District", "Shibei District"])],
    },
];

const UNIT_NAMES: &[(&str, &str)] = &[
    ("Huaihe Road", "淮河路"),
    ("Jianguo", "建国"),
    ("Renmin Road", "人民路"),
    ("Heping", "和平"),
    ("Xinhua", "新华"),
    ("Dongfeng", "东风"),
    ("Guangming", "光明"),
    ("Chaoyang", "朝阳"),
    ("Zhongshan", "中山"),
    ("Jiefang", "解放"),
    ("Wenhua", "文化"),
    ("Xingfu", "幸福"),
    ("Minzhu", "民主"),
    ("Yong'an", "永安"),
    ("Tianqiao", "天桥"),
    ("Shuangjing", "双井"),
    ("Yuhua", "雨花"),
    ("Hongqi", "红旗"),
    ("Changjiang", "长江"),
    ("Huanghe", "黄河"),
    ("Qingnian Road", "青年路"),
    ("Binhe", "滨河"),
    ("Xiyuan", "西园"),
    ("Nanhu", "南湖"),
];

/// (id, English unit suffix, Chinese unit suffix, weight)
const LEVELS: &[(&str, &str, &str, u32)] =
    &[("street", "Street", "街道", 4), ("community", "Community", "社区", 5), ("city", "", "市", 1)];

// Chinese sentence material (community-governance vocabulary)
const ZH_SUBJ: &[&str] = &[
    "社区党委",
    "街道党工委",
    "网格党支部",
    "楼栋党小组",
    "居委会",
    "党员志愿者",
    "在职党员",
    "驻区单位",
    "物业企业",
    "社区干部",
    "居民代表",
    "联盟成员单位",
    "两新组织党组织",
    "社会组织",
];
const ZH_NOUN: &[&str] = &[
    "党建",
    "社区",
    "网格",
    "居民",
    "志愿服务",
    "党员",
    "治理",
    "联盟",
    "服务",
    "组织",
    "阵地",
    "队伍",
    "机制",
    "平台",
    "清单",
    "资源",
    "项目",
    "议事",
    "共建",
    "共治",
    "共享",
    "群众",
    "基层",
    "支部",
    "楼栋",
    "物业",
    "品牌",
    "制度",
    "需求",
    "矛盾",
];
const ZH_VERB: &[&str] =
    &["推动", "健全", "完善", "整合", "凝聚", "建立", "深化", "强化", "探索", "落实", "引领", "带动"];
const ZH_ADJ: &[&str] = &["精细化", "常态化", "制度化", "规范化", "多元化", "网格化", "项目化", "便民化"];
const ZH_NUM: &[&str] = &["两", "三", "四", "五", "六", "十", "十二"];
const ZH_TEMPLATES: &[&str] = &[
    "{s}坚持以{n1}为引领，{v}{n2}与{n3}深度融合。",
    "通过{v}{n1}{n2}，{s}把{n3}工作做到了居民家门口。",
    "{s}每月召开{n1}联席会议，{v}解决{n2}难题{k}项。",
    "围绕{n1}{n2}，{s}探索形成了“{d}个一”工作法。",
    "针对{n1}不足的问题，{s}{v}{a}{n2}机制，{n3}满意度明显提升。",
    "{s}把{n1}建在{n2}上，实现了{n3}全覆盖。",
    "在{n1}中，党员带头、居民参与，{a}{n2}格局逐步形成。",
    "{s}建立“{n1}+{n2}”模式，{v}{n3}资源向基层下沉。",
    "这一做法让{n1}从“要我做”变为“我要做”，{n2}活力不断增强。",
    "{s}组建{k}支{n1}队伍，常态化开展{n2}活动。",
    "依托{n1}平台，{s}收集居民诉求{k}条，办结率达到百分之{p}。",
    "{s}推行{n1}积分制，激励党员在{n2}和{n3}中亮身份、作表率。",
];

// English sentence material
const EN_SUBJ: &[&str] = &[
    "The community Party committee",
    "The street Party working committee",
    "Each grid Party branch",
    "Building Party groups",
    "The residents' committee",
    "Volunteer Party members",
    "In-service members",
    "Resident units",
    "The property company",
    "Community cadres",
    "Resident representatives",
    "Member units of the alliance",
    "Social organizations",
];
const EN_VERB: &[&str] = &[
    "organized",
    "integrated",
    "strengthened",
    "coordinated",
    "mobilized",
    "reviewed",
    "streamlined",
    "launched",
    "expanded",
    "tracked",
];
const EN_OBJ: &[&str] = &[
    "weekly service days",
    "a shared list of resident demands",
    "joint meetings with resident units",
    "volunteer teams in every building",
    "a points system for services",
    "grid patrols",
    "training for young cadres",
    "a council for courtyard affairs",
    "the party-mass service center",
    "follow-up visits to elderly residents",
    "a register of mobile Party members",
    "a responsibility list for each grid",
];
const EN_TAIL: &[&str] = &[
    "so that problems are solved where they arise",
    "which cut response times by half",
    "and residents rated the results in an open vote",
    "with clear duties for every member",
    "instead of adding new meetings",
    "so that no household is left out",
    "and published the results on the notice board every month",
    "which turned one-off campaigns into routine work",
];
const EN_TEMPLATES: &[&str] = &[
    "{S} {v} {o}, {t}.",
    "Over {k} months, {s} {v} {o}.",
    "{S} {v} {o} and {o2}, {t}.",
    "As a result, {s} {v} {o} {t}.",
    "Residents say the change is visible: {s} {v} {o}.",
    "The key step was simple: {s} {v} {o} {t}.",
];

const SUMMARY_MEANS: &[&str] = &[
    "patient routine work",
    "clear rules and lists",
    "sharing resources",
    "putting Party members in front",
    "listening to residents first",
];

/// First line of the generated taxonomy; also marks DIR/cases as ours to replace.
const MARKER: &str = "# Synthetic taxonomy generated by examples/gen_corpus.rs";

// --------------------------------------------------------------------------
// PRNG: SplitMix64, one stream per case
// --------------------------------------------------------------------------

struct Rng(u64);

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of the seed string, so any string is a valid seed.
fn hash_seed(seed: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in seed.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

impl Rng {
    fn for_case(seed_hash: u64, i: u64) -> Rng {
        Rng(mix64(seed_hash ^ mix64(i.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0x632B_E59B_D9B4_E019))))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// k distinct indices of 0..n, in random order (partial Fisher-Yates).
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        for j in 0..k {
            let r = j + self.below(n - j);
            idx.swap(j, r);
        }
        idx.truncate(k);
        idx
    }

    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for j in (1..xs.len()).rev() {
            let r = self.below(j + 1);
            xs.swap(j, r);
        }
    }
}

// --------------------------------------------------------------------------
// Content generation
// --------------------------------------------------------------------------

/// Expand `{name}` placeholders of `tpl` into `out` via `val`.
fn fill(out: &mut String, tpl: &str, mut val: impl FnMut(&str, &mut String)) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("unclosed placeholder");
        val(&rest[open + 1..close], out);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}

fn zh_sentence(r: &mut Rng, out: &mut String) {
    let n = r.sample(ZH_NOUN.len(), 3);
    let tpl = *r.pick(ZH_TEMPLATES);
    let s = *r.pick(ZH_SUBJ);
    let v = *r.pick(ZH_VERB);
    let a = *r.pick(ZH_ADJ);
    let d = *r.pick(ZH_NUM);
    let k = r.range(3, 120);
    let p = r.range(85, 99);
    fill(out, tpl, |name, o| match name {
        "s" => o.push_str(s),
        "v" => o.push_str(v),
        "a" => o.push_str(a),
        "n1" => o.push_str(ZH_NOUN[n[0]]),
        "n2" => o.push_str(ZH_NOUN[n[1]]),
        "n3" => o.push_str(ZH_NOUN[n[2]]),
        "d" => o.push_str(d),
        "k" => write!(o, "{k}").unwrap(),
        "p" => write!(o, "{p}").unwrap(),
        _ => unreachable!("placeholder {name}"),
    });
}

fn en_sentence(r: &mut Rng, out: &mut String) {
    let s = *r.pick(EN_SUBJ);
    let o = r.sample(EN_OBJ.len(), 2);
    let tpl = *r.pick(EN_TEMPLATES);
    let v = *r.pick(EN_VERB);
    let t = *r.pick(EN_TAIL);
    let k = r.range(2, 36);
    let start = out.len();
    fill(out, tpl, |name, w| match name {
        "S" => w.push_str(s),
        "s" => {
            w.push_str(&s[..1].to_ascii_lowercase());
            w.push_str(&s[1..]);
        }
        "v" => w.push_str(v),
        "o" => w.push_str(EN_OBJ[o[0]]),
        "o2" => w.push_str(EN_OBJ[o[1]]),
        "t" => w.push_str(t),
        "k" => write!(w, "{k}").unwrap(),
        _ => unreachable!("placeholder {name}"),
    });
    // Templates start with an ASCII letter; capitalize it.
    out[start..start + 1].make_ascii_uppercase();
}

fn sentence(r: &mut Rng, zh_share: f64, out: &mut String) {
    if r.chance(zh_share) {
        zh_sentence(r, out)
    } else {
        en_sentence(r, out)
    }
}

/// 2-5 sentences; Chinese and English sentences mixed in one paragraph.
fn paragraph(r: &mut Rng, zh_share: f64) -> String {
    let mut text = String::with_capacity(400);
    let mut part = String::with_capacity(160);
    for j in 0..r.range(2, 5) {
        part.clear();
        sentence(r, zh_share, &mut part);
        // Chinese sentences join without spaces, English ones with a space.
        let cjk_next = part.chars().next().is_some_and(|c| c > '\u{2e80}');
        if j > 0 && !(cjk_next && text.ends_with('。')) {
            text.push(' ');
        }
        text.push_str(&part);
    }
    text
}

fn bullet_list(r: &mut Rng, zh_share: f64, ordered: bool) -> String {
    let mut out = String::with_capacity(600);
    let mut item = String::with_capacity(160);
    for i in 0..r.range(3, 6) {
        item.clear();
        sentence(r, zh_share, &mut item);
        if i > 0 {
            out.push('\n');
        }
        if ordered {
            write!(out, "{}. ", i + 1).unwrap();
        } else {
            out.push_str("- ");
        }
        if r.chance(0.3) {
            let n = r.sample(ZH_NOUN.len(), 2);
            out.push_str("**");
            out.push_str(ZH_NOUN[n[0]]);
            out.push_str(ZH_NOUN[n[1]]);
            out.push_str("**：");
        }
        out.push_str(&item);
    }
    out
}

fn results_table(r: &mut Rng) -> String {
    let mut rows = vec![
        ("Registered volunteers 注册志愿者", r.range(20, 300), false),
        ("Resident demands solved 解决居民诉求", r.range(50, 900), false),
        ("Party members reporting 报到党员", r.range(10, 400), false),
        ("Joint meetings held 联席会议", r.range(4, 48), false),
        ("Satisfaction 满意度 (%)", r.range(60, 85), true),
    ];
    r.shuffle(&mut rows);
    rows.truncate(r.range(3, 5) as usize);
    let mut out = String::from("| Indicator 指标 | Before 之前 | After 之后 |\n|---|---:|---:|");
    for (label, before, pct) in rows {
        let after =
            if pct { 99.min(before + r.range(5, 14)) } else { before + r.range(before / 3 + 1, before * 2 + 5) };
        write!(out, "\n| {label} | {before} | {after} |").unwrap();
    }
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

struct Case {
    id: String,
    title: String,
    title_zh: String,
    province_slug: &'static str,
    province: &'static str,
    city: &'static str,
    district: &'static str,
    unit: String,
    level: &'static str,
    forces: Vec<usize>,
    practices: Vec<usize>,
    problems: Vec<usize>,
    summary: String,
    sources: Vec<String>,
    body: String,
}

fn make_case(seed_hash: u64, i: u64) -> Case {
    let r = &mut Rng::for_case(seed_hash, i);
    let id = format!("case-{i:06}");
    let place = r.pick(PLACES);
    let &(city, districts) = r.pick(place.cities);
    let district = *r.pick(districts);
    let weights: Vec<u32> = LEVELS.iter().map(|l| l.3).collect();
    let (level, level_en, level_zh, _) = LEVELS[r.weighted(&weights)];
    let &(uname_en, uname_zh) = r.pick(UNIT_NAMES);
    let (unit_en, unit_zh) = if level == "city" {
        (format!("{city} municipal Party committee"), format!("{}某市委", place.zh))
    } else {
        (format!("{uname_en} {level_en}"), format!("{uname_zh}{level_zh}"))
    };

    // 1-3 practice sections. Cases 1..=len(PRACTICES) lead with practice i-1,
    // so every practice is used by some case once N >= len(PRACTICES).
    let k = 1 + r.weighted(&[3, 4, 3]);
    let practices: Vec<usize> = if (i as usize) <= PRACTICES.len() {
        let lead = i as usize - 1;
        let mut v = vec![lead];
        let others: Vec<usize> = (0..PRACTICES.len()).filter(|&p| p != lead).collect();
        v.extend(r.sample(others.len(), k - 1).into_iter().map(|j| others[j]));
        v
    } else {
        r.sample(PRACTICES.len(), k)
    };
    let mut forces: Vec<usize> = Vec::with_capacity(FORCES.len());
    for &p in &practices {
        for &f in PRACTICES[p].forces {
            if !forces.contains(&f) {
                forces.push(f);
            }
        }
    }
    if r.chance(0.25) {
        // some cases add one more force
        let extra: Vec<usize> = (0..FORCES.len()).filter(|f| !forces.contains(f)).collect();
        if !extra.is_empty() {
            forces.push(*r.pick(&extra));
        }
    }
    // Cases 1..=len(PROBLEMS) carry problem i-1 (adding one of its forces if
    // needed), so every problem is used once N >= len(PROBLEMS).
    let want = r.range(1, 2) as usize;
    let mut problems: Vec<usize> = Vec::with_capacity(2);
    if (i as usize) <= PROBLEMS.len() {
        let req = i as usize - 1;
        if !PROBLEMS[req].forces.iter().any(|f| forces.contains(f)) {
            forces.push(PROBLEMS[req].forces[0]);
        }
        problems.push(req);
    }
    let cand: Vec<usize> = (0..PROBLEMS.len())
        .filter(|p| !problems.contains(p) && PROBLEMS[*p].forces.iter().any(|f| forces.contains(f)))
        .collect();
    let more = want.saturating_sub(problems.len()).min(cand.len());
    problems.extend(r.sample(cand.len(), more).into_iter().map(|j| cand[j]));

    let p0 = &PRACTICES[practices[0]];
    let (title, title_zh) = if k > 1 {
        let p1 = &PRACTICES[practices[1]];
        let first = if r.chance(0.5) { p0.en.to_lowercase() } else { p0.en.to_string() };
        (format!("{unit_en}: {first} and {}", p1.en.to_lowercase()), format!("{unit_zh}：{}与{}", p0.zh, p1.zh))
    } else {
        (format!("{unit_en}: {}", p0.en.to_lowercase()), format!("{unit_zh}：以{}提升{}", p0.zh, FORCES[forces[0]].zh))
    };

    let join = |xs: Vec<String>, sep: &str| xs.join(sep);
    let summary = format!(
        "{unit_en} in {district}, {city} ({}) tackled {} through {}. The case shows how {} can be built \
         by {}, with residents, volunteers and member units working together.",
        place.en,
        join(problems.iter().map(|&x| PROBLEMS[x].en.to_lowercase()).collect(), " and "),
        join(practices.iter().map(|&x| PRACTICES[x].en.to_lowercase()).collect(), ", "),
        join(forces.iter().take(2).map(|&f| FORCES[f].en.to_lowercase()).collect(), " and "),
        r.pick(SUMMARY_MEANS),
    );
    let mut sources = vec![format!("Synthetic source {}: field notes on {unit_en}", r.range(1, 999))];
    if r.chance(0.5) {
        sources.push(format!("Synthetic source {}: interview with {} cadres", r.range(1, 999), place.en));
    }

    // ----- body -----
    let target = r.range(2900, 5600) as usize; // bytes of Markdown body (a floor)
    let zh_share = 0.45 + 0.30 * r.unit();
    let mut sections: Vec<(String, Vec<String>)> = Vec::with_capacity(6);
    sections.push(("## Background".into(), vec![paragraph(r, zh_share)]));
    for &p in &practices {
        let pr = &PRACTICES[p];
        let fs: Vec<&str> = pr.forces.iter().map(|&f| FORCES[f].id).collect();
        let heading =
            format!("## Practice: {} {} {{#{} practice={} forces=\"{}\"}}", pr.en, pr.zh, pr.id, pr.id, fs.join(" "));
        let para = paragraph(r, zh_share);
        let ordered = r.chance(0.5);
        let list = bullet_list(r, zh_share, ordered);
        sections.push((heading, vec![para, list]));
    }
    sections.push(("## Results".into(), vec![paragraph(r, zh_share), results_table(r)]));
    sections.push(("## Lessons".into(), vec![paragraph(r, zh_share)]));
    if r.chance(0.5) {
        let list = bullet_list(r, zh_share, false);
        sections.last_mut().unwrap().1.push(list);
    }
    let mut size: usize =
        sections.iter().map(|(h, bl)| h.len() + bl.iter().map(|b| b.len() + 2).sum::<usize>() + 2).sum();
    while size < target {
        let sec = r.below(sections.len());
        let pos = r.below(sections[sec].1.len() + 1);
        let para = paragraph(r, zh_share);
        size += para.len() + 2;
        sections[sec].1.insert(pos, para);
    }
    let mut body = String::with_capacity(size + 64);
    for (j, (h, bl)) in sections.iter().enumerate() {
        if j > 0 {
            body.push_str("\n\n");
        }
        body.push_str(h);
        body.push_str("\n\n");
        for (m, b) in bl.iter().enumerate() {
            if m > 0 {
                body.push_str("\n\n");
            }
            body.push_str(b);
        }
    }
    body.push('\n');

    Case {
        id,
        title,
        title_zh,
        province_slug: place.slug,
        province: place.en,
        city,
        district,
        unit: unit_en,
        level,
        forces,
        practices,
        problems,
        summary,
        sources,
        body,
    }
}

// --------------------------------------------------------------------------
// Writers
// --------------------------------------------------------------------------

/// Append `s` as a double-quoted string, valid both as JSON and as YAML.
fn q(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // control characters, DEL/C1 and the Unicode line separators
            // (YAML would fold the latter)
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{2028}' || c == '\u{2029}' => {
                write!(out, "\\u{:04x}", c as u32).unwrap()
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn qlist(out: &mut String, xs: &[&str]) {
    out.push('[');
    for (j, x) in xs.iter().enumerate() {
        if j > 0 {
            out.push_str(", ");
        }
        q(out, x);
    }
    out.push(']');
}

fn idlist(out: &mut String, ids: impl Iterator<Item = &'static str>) {
    out.push('[');
    for (j, id) in ids.enumerate() {
        if j > 0 {
            out.push_str(", ");
        }
        out.push_str(id);
    }
    out.push(']');
}

fn forces_and(fs: &[usize]) -> String {
    fs.iter().map(|&f| FORCES[f].en.to_lowercase()).collect::<Vec<_>>().join(" and ")
}

fn taxonomy_yaml() -> String {
    let mut o = String::with_capacity(16 * 1024);
    o.push_str(MARKER);
    o.push('\n');
    let term = |o: &mut String, id: &str, en: &str, zh: &str, def: &str, aliases: &[&str]| {
        write!(o, "    - id: {id}\n      label: ").unwrap();
        q(o, en);
        o.push_str("\n      label_zh: ");
        q(o, zh);
        o.push_str("\n      definition: ");
        q(o, def);
        o.push_str("\n      aliases: ");
        qlist(o, aliases);
        o.push('\n');
    };

    o.push_str("forces:\n  label: Forces\n  label_zh: 五力\n  terms:\n");
    for f in FORCES {
        term(&mut o, f.id, f.en, f.zh, f.definition, f.aliases);
    }

    o.push_str("problems:\n  label: Problems\n  label_zh: 问题\n  terms:\n");
    for p in PROBLEMS {
        let def = format!("Cases where {}; addressed mainly through {}.", lower_first(p.en), forces_and(p.forces));
        term(&mut o, p.id, p.en, p.zh, &def, p.aliases);
        o.push_str("      forces: ");
        idlist(&mut o, p.forces.iter().map(|&f| FORCES[f].id));
        o.push('\n');
    }

    o.push_str("practices:\n  label: Practices\n  label_zh: 做法\n  terms:\n");
    for p in PRACTICES {
        let def = format!("{} ({}): a named practice that builds {}.", p.en, p.zh, forces_and(p.forces));
        let lower = p.en.to_lowercase();
        term(&mut o, p.id, p.en, p.zh, &def, &[&lower, p.zh]);
        o.push_str("      forces: ");
        idlist(&mut o, p.forces.iter().map(|&f| FORCES[f].id));
        o.push('\n');
    }
    o
}

fn casebook_file(c: &Case, o: &mut String) {
    o.clear();
    write!(o, "---\nid: {}\ntitle: ", c.id).unwrap();
    q(o, &c.title);
    o.push_str("\ntitle_zh: ");
    q(o, &c.title_zh);
    o.push_str("\nplace:\n  province: ");
    q(o, c.province);
    o.push_str("\n  city: ");
    q(o, c.city);
    o.push_str("\n  district: ");
    q(o, c.district);
    o.push_str("\n  unit: ");
    q(o, &c.unit);
    write!(o, "\nlevel: {}\nforces: ", c.level).unwrap();
    idlist(o, c.forces.iter().map(|&f| FORCES[f].id));
    o.push_str("\npractices: ");
    idlist(o, c.practices.iter().map(|&p| PRACTICES[p].id));
    o.push_str("\nproblems: ");
    idlist(o, c.problems.iter().map(|&p| PROBLEMS[p].id));
    o.push_str("\nsummary: ");
    q(o, &c.summary);
    o.push_str("\nsources:\n");
    for s in &c.sources {
        o.push_str("  - ");
        q(o, s);
        o.push('\n');
    }
    o.push_str("---\n\n");
    o.push_str(&c.body);
}

// --------------------------------------------------------------------------
// Command line
// --------------------------------------------------------------------------

const USAGE: &str = "usage: cargo run --release --example gen_corpus -- --n N --out DIR [--seed S]

  --n N       number of cases (>= 1)
  --out DIR   output directory; writes DIR/cases/ (replaced if it was made by this tool)
  --seed S    random seed, any string (default 1)";

fn usage_error(msg: &str) -> ! {
    eprintln!("gen_corpus: {msg}\n{USAGE}");
    exit(2)
}

fn fail(msg: String) -> ! {
    eprintln!("gen_corpus: {msg}");
    exit(1)
}

struct Args {
    n: u64,
    out: PathBuf,
    seed: String,
}

fn parse_args() -> Args {
    let mut n: Option<u64> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed = String::from("1");
    let mut it = std::env::args_os().skip(1);
    while let Some(arg) = it.next() {
        let Some(arg) = arg.to_str().map(str::to_owned) else { usage_error("arguments must be valid UTF-8") };
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            exit(0);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if !matches!(flag.as_str(), "--n" | "--out" | "--seed") {
            usage_error(&format!("unexpected argument '{arg}'"));
        }
        let value = match inline {
            Some(v) => v,
            None => match it.next() {
                Some(v) => v.into_string().unwrap_or_else(|_| usage_error("arguments must be valid UTF-8")),
                None => usage_error(&format!("{flag} needs a value")),
            },
        };
        match flag.as_str() {
            "--n" => match value.parse::<u64>() {
                Ok(v) if v >= 1 => n = Some(v),
                _ => usage_error(&format!("--n must be a positive integer, got '{value}'")),
            },
            "--out" if !value.is_empty() => out = Some(PathBuf::from(value)),
            "--out" => usage_error("--out must not be empty"),
            _ => seed = value,
        }
    }
    Args {
        n: n.unwrap_or_else(|| usage_error("missing --n")),
        out: out.unwrap_or_else(|| usage_error("missing --out")),
        seed,
    }
}

/// Remove DIR/cases if it is a previous output of this generator; refuse to
/// touch anything else.
fn clear_cases_dir(cases: &Path) {
    if !cases.exists() {
        return;
    }
    let ours = fs::read_to_string(cases.join("taxonomy.yaml")).map(|t| t.starts_with(MARKER)).unwrap_or(false);
    let empty = fs::read_dir(cases).map(|mut d| d.next().is_none()).unwrap_or(false);
    if !ours && !empty {
        fail(format!("{} exists and was not written by gen_corpus; refusing to overwrite it", cases.display()));
    }
    fs::remove_dir_all(cases).unwrap_or_else(|e| fail(format!("cannot remove {}: {e}", cases.display())));
}

/// DIR/casebook.toml: the roles of the generated vocabularies (casebook names none in its code).
/// A casebook.toml this generator did not write is left alone.
fn write_config(dir: &Path) {
    let path = dir.join("casebook.toml");
    const CONFIG_MARKER: &str = "# Settings of a synthetic library generated by examples/gen_corpus.rs";
    let ours = fs::read_to_string(&path).map(|t| t.starts_with(CONFIG_MARKER)).unwrap_or(true);
    if !ours {
        return;
    }
    let config = format!("{CONFIG_MARKER}\nprofile = \"forces\"\nstart_from = \"problems\"\n");
    fs::write(&path, config).unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
}

fn main() {
    let args = parse_args();
    let cases_dir = args.out.join("cases");
    clear_cases_dir(&cases_dir);
    for p in PLACES {
        let d = cases_dir.join(p.slug);
        fs::create_dir_all(&d).unwrap_or_else(|e| fail(format!("cannot create {}: {e}", d.display())));
    }
    let tax = taxonomy_yaml();
    let tax_path = cases_dir.join("taxonomy.yaml");
    fs::write(&tax_path, &tax).unwrap_or_else(|e| fail(format!("cannot write {}: {e}", tax_path.display())));
    write_config(&args.out);

    let seed_hash = hash_seed(&args.seed);
    let total = AtomicU64::new(tax.len() as u64);
    let next = AtomicUsize::new(0);
    const CHUNK: u64 = 64;
    let workers = std::thread::available_parallelism().map_or(4, |n| n.get()).min(32);
    let n = args.n;
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut text = String::with_capacity(16 * 1024);
                let mut path = PathBuf::new();
                let mut bytes = 0u64;
                loop {
                    let start = next.fetch_add(1, Ordering::Relaxed) as u64 * CHUNK + 1;
                    if start > n {
                        break;
                    }
                    for i in start..=(start + CHUNK - 1).min(n) {
                        let c = make_case(seed_hash, i);
                        casebook_file(&c, &mut text);
                        path.clear();
                        path.push(&cases_dir);
                        path.push(c.province_slug);
                        path.push(&c.id);
                        path.set_extension("md");
                        let mut f = fs::File::create(&path)
                            .unwrap_or_else(|e| fail(format!("cannot create {}: {e}", path.display())));
                        f.write_all(text.as_bytes())
                            .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
                        bytes += text.len() as u64;
                    }
                }
                total.fetch_add(bytes, Ordering::Relaxed);
            });
        }
    });
    let mib = total.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0);
    println!("wrote {n} cases ({mib:.1} MiB) to {}", args.out.display());
}
