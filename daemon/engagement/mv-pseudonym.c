/*
 * The leaderboard's pseudonyms: see mv-pseudonym.h.  The word lists are plain, friendly and
 * neutral (no body, health, nationality or gender words); the English and Chinese lists are
 * translations of each other, index by index.
 */
#define G_LOG_DOMAIN "medverse-engagement"

#include "mv-pseudonym.h"

#include <string.h>

static const gchar *const adjectives[MV_PSEUDONYM_N_ADJECTIVES][2] = {
	{ "Calm", "安静的" },	     { "Brave", "勇敢的" },    { "Bright", "明亮的" },
	{ "Swift", "敏捷的" },	     { "Gentle", "温和的" },   { "Happy", "快乐的" },
	{ "Clever", "聪明的" },	     { "Cheerful", "开朗的" }, { "Kind", "善良的" },
	{ "Lucky", "幸运的" },	     { "Merry", "愉快的" },    { "Nimble", "灵巧的" },
	{ "Serene", "安详的" },	     { "Quiet", "宁静的" },    { "Steady", "稳健的" },
	{ "Sunny", "阳光的" },	     { "Bold", "大胆的" },     { "Busy", "忙碌的" },
	{ "Curious", "好奇的" },     { "Daring", "无畏的" },   { "Eager", "热切的" },
	{ "Fair", "公正的" },	     { "Friendly", "友好的" }, { "Generous", "慷慨的" },
	{ "Golden", "金色的" },	     { "Graceful", "优雅的" }, { "Honest", "诚实的" },
	{ "Hopeful", "充满希望的" }, { "Jolly", "欢乐的" },    { "Keen", "敏锐的" },
	{ "Lively", "活泼的" },	     { "Loyal", "忠诚的" },    { "Mellow", "醇厚的" },
	{ "Mighty", "强大的" },	     { "Noble", "高尚的" },    { "Peaceful", "平和的" },
	{ "Polite", "礼貌的" },	     { "Proud", "自豪的" },    { "Quick", "迅速的" },
	{ "Radiant", "灿烂的" },     { "Silver", "银色的" },   { "Smart", "机灵的" },
	{ "Smiling", "微笑的" },     { "Snowy", "雪白的" },    { "Sparkling", "闪亮的" },
	{ "Spirited", "朝气的" },    { "Strong", "坚强的" },   { "Sturdy", "结实的" },
	{ "Thoughtful", "体贴的" },  { "Tidy", "整洁的" },     { "Tireless", "不倦的" },
	{ "Trusty", "可靠的" },	     { "Upbeat", "乐观的" },   { "Valiant", "英勇的" },
	{ "Vivid", "鲜明的" },	     { "Warm", "温暖的" },     { "Wise", "睿智的" },
	{ "Witty", "风趣的" },	     { "Zesty", "热情的" },    { "Azure", "蔚蓝的" },
	{ "Breezy", "清爽的" },	     { "Cosmic", "宇宙的" },   { "Jovial", "欢快的" },
	{ "Earnest", "认真的" },
};

static const gchar *const animals[MV_PSEUDONYM_N_ANIMALS][2] = {
	{ "Otter", "水獭" },	  { "Panda", "熊猫" },	   { "Crane", "仙鹤" },
	{ "Tiger", "老虎" },	  { "Dolphin", "海豚" },   { "Eagle", "雄鹰" },
	{ "Fox", "狐狸" },	  { "Koala", "考拉" },	   { "Lion", "狮子" },
	{ "Owl", "猫头鹰" },	  { "Rabbit", "兔子" },	   { "Deer", "小鹿" },
	{ "Swan", "天鹅" },	  { "Turtle", "海龟" },	   { "Whale", "鲸鱼" },
	{ "Zebra", "斑马" },	  { "Badger", "獾" },	   { "Beaver", "河狸" },
	{ "Bee", "蜜蜂" },	  { "Camel", "骆驼" },	   { "Cheetah", "猎豹" },
	{ "Dove", "鸽子" },	  { "Falcon", "猎鹰" },	   { "Finch", "雀鸟" },
	{ "Gazelle", "羚羊" },	  { "Giraffe", "长颈鹿" }, { "Goose", "大雁" },
	{ "Hare", "野兔" },	  { "Hedgehog", "刺猬" },  { "Heron", "苍鹭" },
	{ "Horse", "骏马" },	  { "Ibis", "朱鹮" },	   { "Jaguar", "美洲豹" },
	{ "Kingfisher", "翠鸟" }, { "Lark", "云雀" },	   { "Lynx", "猞猁" },
	{ "Magpie", "喜鹊" },	  { "Marten", "貂" },	   { "Moose", "驼鹿" },
	{ "Oriole", "黄鹂" },	  { "Peacock", "孔雀" },   { "Pelican", "鹈鹕" },
	{ "Penguin", "企鹅" },	  { "Puffin", "海鹦" },	   { "Quail", "鹌鹑" },
	{ "Raccoon", "浣熊" },	  { "Robin", "知更鸟" },   { "Salmon", "鲑鱼" },
	{ "Seal", "海豹" },	  { "Sparrow", "麻雀" },   { "Squirrel", "松鼠" },
	{ "Stork", "鹳" },	  { "Tortoise", "陆龟" },  { "Walrus", "海象" },
	{ "Wolf", "狼" },	  { "Wren", "鹪鹩" },	   { "Yak", "牦牛" },
	{ "Alpaca", "羊驼" },	  { "Bison", "野牛" },	   { "Condor", "秃鹰" },
	{ "Elk", "麋鹿" },	  { "Gecko", "壁虎" },	   { "Ibex", "北山羊" },
	{ "Kiwi", "几维鸟" },
};

gchar *
mv_pseudonym_handle (const guint8 *salt,
		     gsize salt_len,
		     const gchar *patient_id,
		     const gchar *language)
{
	g_autoptr (GHmac) hmac = NULL;
	guint8 digest[32];
	gsize len = sizeof digest;
	guint lang = g_strcmp0 (language, "zh") == 0 ? 1 : 0;
	guint number;

	g_return_val_if_fail (salt != NULL && salt_len >= MV_PSEUDONYM_SALT_LEN, NULL);
	g_return_val_if_fail (patient_id != NULL, NULL);
	hmac = g_hmac_new (G_CHECKSUM_SHA256, salt, salt_len);
	/* a label first: the same salt used for something else gives unrelated values */
	g_hmac_update (hmac, (const guchar *)"medverse-leaderboard-handle\0", 28);
	g_hmac_update (hmac, (const guchar *)patient_id, (gssize)strlen (patient_id));
	g_hmac_get_digest (hmac, digest, &len);
	/* 64 is a power of two: one byte each, no modulo bias; the number from 32 bits */
	number = 100
		 + ((guint32)digest[2] << 24 | (guint32)digest[3] << 16 | (guint32)digest[4] << 8
		    | digest[5])
			   % 900;
	return g_strdup_printf (lang == 1 ? "%s%s%u" : "%s %s %u",
				adjectives[digest[0] % MV_PSEUDONYM_N_ADJECTIVES][lang],
				animals[digest[1] % MV_PSEUDONYM_N_ANIMALS][lang], number);
}

static void
row_clear (gpointer data)
{
	g_free (((MvLeaderboardRow *)data)->handle);
}

static gint
by_points_then_handle (gconstpointer a, gconstpointer b)
{
	const MvLeaderboardRow *x = a, *y = b;

	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	return g_strcmp0 (x->handle, y->handle);
}

GArray *
mv_leaderboard_rank (const guint8 *salt,
		     gsize salt_len,
		     const MvLeaderboardInput *players,
		     guint n_players,
		     const gchar *caller_id,
		     const gchar *language,
		     guint limit)
{
	g_autoptr (GArray) all
		= g_array_sized_new (FALSE, TRUE, sizeof (MvLeaderboardRow), n_players);
	GArray *out = g_array_new (FALSE, TRUE, sizeof (MvLeaderboardRow));

	g_array_set_clear_func (all, row_clear);
	g_array_set_clear_func (out, row_clear);
	for (guint i = 0; i < n_players; i++) {
		MvLeaderboardRow row
			= { mv_pseudonym_handle (salt, salt_len, players[i].patient_id, language),
			    players[i].points, 0,
			    g_strcmp0 (players[i].patient_id, caller_id) == 0 };
		g_array_append_val (all, row);
	}
	g_array_sort (all, by_points_then_handle);
	for (guint i = 0; i < all->len; i++) {
		MvLeaderboardRow *row = &g_array_index (all, MvLeaderboardRow, i);
		MvLeaderboardRow *before = i > 0 ? row - 1 : NULL;

		row->rank = before != NULL && before->points == row->points ? before->rank : i + 1;
		if (i < limit || row->is_caller) {
			MvLeaderboardRow copy = *row;
			copy.handle = g_strdup (row->handle);
			g_array_append_val (out, copy);
		}
	}
	return out;
}
