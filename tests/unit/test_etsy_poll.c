/*
 * Unit tests for the pure part of lib/etsy_poll.c: a getShopReceipts page
 * parsed into receipts and transactions, the variation key, the window
 * and watermark arithmetic and the cadence. The fixture follows Etsy's
 * OpenAPI document (ShopReceipts, ShopReceipt, ShopReceiptTransaction,
 * TransactionVariations, ListingPropertyValue, ShopRefund, Money).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "etsy_poll.h"

/* Two receipts: a paid one with two transactions (one with variations
 * and a personalization, one without), and a cancelled one with a
 * refund. */
static const char PAGE[] =
    "{\"count\":2,\"results\":["
    "{\"receipt_id\":3001,\"receipt_type\":0,\"seller_user_id\":77,"
    "\"buyer_user_id\":99,\"status\":\"paid\",\"is_paid\":true,"
    "\"is_shipped\":false,\"create_timestamp\":1790000000,"
    "\"created_timestamp\":1790000000,\"update_timestamp\":1790000100,"
    "\"updated_timestamp\":1790000100,\"grandtotal\":{\"amount\":5600,"
    "\"divisor\":100,\"currency_code\":\"USD\"},\"shipments\":[],"
    "\"transactions\":["
    "{\"transaction_id\":4001,\"title\":\"Tee\",\"seller_user_id\":77,"
    "\"buyer_user_id\":99,\"create_timestamp\":1790000000,"
    "\"paid_timestamp\":1790000000,\"shipped_timestamp\":null,"
    "\"quantity\":2,\"listing_image_id\":null,\"receipt_id\":3001,"
    "\"is_digital\":false,\"listing_id\":1001,\"transaction_type\":"
    "\"listing\",\"product_id\":7001,\"sku\":\"TEE-R-M\",\"price\":"
    "{\"amount\":2800,\"divisor\":100,\"currency_code\":\"USD\"},"
    "\"variations\":[{\"property_id\":200,\"value_id\":11,"
    "\"formatted_name\":\"Size\",\"formatted_value\":\"M\","
    "\"question_id\":null},{\"property_id\":513,\"value_id\":12,"
    "\"formatted_name\":\"Color\",\"formatted_value\":\"Red\","
    "\"question_id\":null},{\"property_id\":54,\"value_id\":null,"
    "\"formatted_name\":\"Personalization\",\"formatted_value\":\"Ann\","
    "\"question_id\":5}],"
    "\"product_data\":[{\"property_id\":513,\"property_name\":\"Color\","
    "\"scale_id\":null,\"scale_name\":null,\"value_ids\":[12],\"values\":"
    "[\"Red\"]},{\"property_id\":200,\"property_name\":\"Size\","
    "\"scale_id\":19,\"scale_name\":\"US\",\"value_ids\":[11],\"values\":"
    "[\"M\"]}]},"
    "{\"transaction_id\":4002,\"title\":\"Mug\",\"quantity\":1,"
    "\"receipt_id\":3001,\"listing_id\":1002,\"product_id\":7002,"
    "\"sku\":null,\"variations\":[],\"product_data\":[]}],"
    "\"refunds\":[]},"
    "{\"receipt_id\":3002,\"status\":\"canceled\",\"is_paid\":true,"
    "\"create_timestamp\":1790000050,\"created_timestamp\":1790000050,"
    "\"update_timestamp\":1790000060,\"updated_timestamp\":1790000060,"
    "\"transactions\":[{\"transaction_id\":4003,\"title\":\"Vase\","
    "\"quantity\":3,\"receipt_id\":3002,\"listing_id\":1003,\"sku\":"
    "\"VASE\",\"variations\":[],\"product_data\":[]}],"
    "\"refunds\":[{\"amount\":{\"amount\":1500,\"divisor\":100,"
    "\"currency_code\":\"USD\"},\"created_timestamp\":1790000060,"
    "\"reason\":\"cancel\",\"note_from_issuer\":null,\"status\":"
    "\"complete\"},{\"amount\":{\"amount\":500,\"divisor\":100,"
    "\"currency_code\":\"USD\"},\"created_timestamp\":1790000061,"
    "\"reason\":null,\"note_from_issuer\":null,\"status\":null}]}]}";

static void
test_parse_page(void **state)
{
	struct etsy_poll_page	 pg;
	struct err		 e;
	const struct etsy_poll_receipt *r;

	(void)state;
	assert_int_equal(etsy_poll_page_parse(PAGE, strlen(PAGE), 0, &pg, &e),
	    0);
	assert_int_equal(pg.count, 2);
	assert_int_equal(pg.n, 2);
	r = &pg.receipts[0];
	assert_int_equal(r->receipt_id, 3001);
	assert_int_equal(r->updated, 1790000100);
	assert_int_equal(r->created, 1790000000);
	assert_string_equal(r->status, "paid");
	assert_false(r->canceled);
	assert_int_equal(r->nrefunds, 0);
	assert_int_equal(r->ntxns, 2);
	assert_int_equal(r->txns[0].transaction_id, 4001);
	assert_int_equal(r->txns[0].listing_id, 1001);
	assert_int_equal(r->txns[0].quantity, 2);
	assert_string_equal(r->txns[0].sku, "TEE-R-M");
	/* sorted by name, the personalization left out */
	assert_string_equal(r->txns[0].variant, "Color=Red;Size=M");
	assert_string_equal(r->txns[0].variant_pd, "Color=Red;Size=M");
	assert_string_equal(r->txns[1].sku, "");
	assert_string_equal(r->txns[1].variant, "");
	assert_string_equal(r->txns[1].variant_pd, "");
	r = &pg.receipts[1];
	assert_true(r->canceled);
	assert_int_equal(r->nrefunds, 2);
	assert_int_equal(r->refunded, 2000);
	assert_int_equal(r->refund_divisor, 100);
	assert_string_equal(r->currency, "USD");
	assert_int_equal(r->txns[0].quantity, 3);
	etsy_poll_page_free(&pg);
	etsy_poll_page_free(&pg);	/* twice is fine */
	etsy_poll_page_free(NULL);
}

static void
test_parse_single(void **state)
{
	static const char one[] = "{\"receipt_id\":5,\"status\":\"open\","
	    "\"update_timestamp\":1790000000,\"transactions\":[]}";
	struct etsy_poll_page	 pg;
	struct err		 e;

	(void)state;
	assert_int_equal(etsy_poll_page_parse(one, strlen(one), 1, &pg, &e),
	    0);
	assert_int_equal(pg.n, 1);
	assert_int_equal(pg.receipts[0].receipt_id, 5);
	assert_int_equal(pg.receipts[0].updated, 1790000000);
	etsy_poll_page_free(&pg);
}

static void
refused(const char *body, enum err_kind kind, const char *field)
{
	struct etsy_poll_page	 pg;
	struct err		 e;

	err_clear(&e);
	assert_int_equal(etsy_poll_page_parse(body, strlen(body), 0, &pg, &e),
	    -1);
	assert_int_equal(e.kind, kind);
	if (field != NULL && strstr(e.msg, field) == NULL)
		fail_msg("'%s' does not name %s", e.msg, field);
	assert_int_equal(pg.n, 0);
	assert_null(pg.receipts);
}

static void
test_malformed(void **state)
{
	(void)state;
	refused("{\"count\":1,\"results\":[{\"receipt_id\":1,", ERR_RETRY,
	    NULL);
	refused("[]", ERR_INVALID, "(root)");
	refused("{\"count\":0}", ERR_INVALID, "results");
	refused("{\"results\":{}}", ERR_INVALID, "results");
	refused("{\"results\":[{\"status\":\"paid\"}]}", ERR_INVALID,
	    "results[0].receipt_id");
	refused("{\"results\":[{\"receipt_id\":1}]}", ERR_INVALID,
	    "results[0].update_timestamp");
	refused("{\"results\":[{\"receipt_id\":1,\"update_timestamp\":1790000000,"
	    "\"transactions\":[{\"transaction_id\":2,\"quantity\":\"2\"}]}]}",
	    ERR_INVALID, "results[0].transactions[0].quantity");
	refused("{\"results\":[{\"receipt_id\":1,\"update_timestamp\":1790000000,"
	    "\"transactions\":[{\"transaction_id\":2,\"quantity\":-1}]}]}",
	    ERR_INVALID, "results[0].transactions[0].quantity");
	refused("{\"results\":[{\"receipt_id\":1,\"update_timestamp\":1790000000,"
	    "\"transactions\":[{\"quantity\":1}]}]}", ERR_INVALID,
	    "results[0].transactions[0].transaction_id");
	refused("{\"results\":[{\"receipt_id\":1,\"update_timestamp\":1790000000,"
	    "\"transactions\":[{\"transaction_id\":2,\"quantity\":1,"
	    "\"variations\":[{\"formatted_name\":3}]}]}]}", ERR_INVALID,
	    "results[0].transactions[0].variations[0].formatted_name");
	refused("{\"results\":[{\"receipt_id\":1,\"update_timestamp\":1790000000,"
	    "\"refunds\":[{\"amount\":{\"amount\":1}}]}]}", ERR_INVALID,
	    "results[0].refunds[0].amount.divisor");
	refused("{\"results\":[{\"receipt_id\":1,\"update_timestamp\":1790000000,"
	    "\"transactions\":[{\"transaction_id\":2,\"quantity\":1,"
	    "\"sku\":[]}]}]}", ERR_INVALID, "results[0].transactions[0].sku");
}

static void
test_variation_key(void **state)
{
	struct etsy_poll_var	 v[3] = {
		{ "Size", "M" }, { "Color", "Red" }, { "Material", "Oak" } };
	char			 out[64], small[8];

	(void)state;
	assert_int_equal(etsy_poll_variation_key(v, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "Color=Red;Material=Oak;Size=M");
	assert_int_equal(etsy_poll_variation_key(v, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "Size=M");
	assert_int_equal(etsy_poll_variation_key(v, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(etsy_poll_variation_key(v, 3, small, sizeof(small)),
	    -1);
	assert_string_equal(small, "");
	assert_int_equal(etsy_poll_variation_key(v, 0, out, 0), -1);
}

static void
test_watermark(void **state)
{
	(void)state;
	assert_int_equal(etsy_poll_window_start(1790000000, 300), 1789999700);
	assert_int_equal(etsy_poll_window_start(1790000000, -5), 1790000000);
	/* never below Etsy's minimum (year 2000) */
	assert_int_equal(etsy_poll_window_start(946684900, 300), 946684800);
	assert_int_equal(etsy_poll_next_watermark(1790000000, 1790000100),
	    1790000100);
	/* nothing seen, or only older receipts: stays */
	assert_int_equal(etsy_poll_next_watermark(1790000000, 0), 1790000000);
	assert_int_equal(etsy_poll_next_watermark(1790000000, 1789999800),
	    1790000000);
}

static void
test_cadence(void **state)
{
	(void)state;
	assert_int_equal(etsy_poll_interval(60, 20, -1, -1), 60);
	assert_int_equal(etsy_poll_interval(60, 20, 5000, 10000), 60);
	assert_int_equal(etsy_poll_interval(60, 20, 2000, 10000), 60);
	assert_int_equal(etsy_poll_interval(60, 20, 1999, 10000), 240);
	assert_int_equal(etsy_poll_interval(60, 20, 0, 10000), 600);
	assert_int_equal(etsy_poll_interval(0, 20, -1, -1), 60);
	assert_true(etsy_poll_due(1000, 0, 0, 60));
	assert_true(etsy_poll_due(1060, 1000, 0, 60));
	/* a tick a little early still counts */
	assert_true(etsy_poll_due(1055, 1000, 0, 60));
	assert_false(etsy_poll_due(1030, 1000, 0, 60));
	/* not before a 429's retry-after */
	assert_false(etsy_poll_due(1100, 1000, 1101, 60));
	assert_true(etsy_poll_due(1101, 1000, 1101, 60));
}

/* The adaptive interval with the day's poll share and Etsy's quota. */
static void
test_adaptive(void **state)
{
	struct etsy_poll_cadence_in	 in;
	int64_t				 now = 86400 * 20000 + 43200;

	(void)state;
	memset(&in, 0, sizeof(in));
	budget_cadence_default(&in.cad);
	budget_split_default(&in.split);
	in.cad.now = now;
	in.cad.last_sale = now - 60;
	in.per_day = 10000;
	in.sweep_every_s = 1800;
	in.reserve_pct = 20;
	in.remaining_today = -1;
	in.limit_per_day = -1;
	/* busy, plenty left: 15 s */
	assert_int_equal(etsy_poll_cadence(&in), 15);
	/* half a day left, 6,000 of 6,500 poll calls used: 500 less the
	 * sweep's 2 x 25 for 43,200 s: one poll per 96 s */
	in.poll_used = 6000;
	assert_int_equal(etsy_poll_cadence(&in), 96);
	/* the share spent: not before the new day */
	in.poll_used = 6500;
	assert_int_equal(etsy_poll_cadence(&in), 43200);
	/* Etsy's quota below the reserve: four times slower */
	in.poll_used = 0;
	in.remaining_today = 1000;
	in.limit_per_day = 10000;
	assert_int_equal(etsy_poll_cadence(&in), 60);
	/* quiet shop, high-traffic switch on: busy again */
	in.remaining_today = -1;
	in.cad.last_sale = 0;
	assert_int_equal(etsy_poll_cadence(&in), 300);
	in.cad.high_traffic = 1;
	assert_int_equal(etsy_poll_cadence(&in), 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_page),
		cmocka_unit_test(test_parse_single),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_variation_key),
		cmocka_unit_test(test_watermark),
		cmocka_unit_test(test_cadence),
		cmocka_unit_test(test_adaptive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
